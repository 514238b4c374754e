#!/usr/bin/env bash
# hunch's camera test VM: Debian's own kernel under QEMU with the kernel's
# `vivid` virtual camera loaded, so /dev/video0 is a real V4L2 driver.
#
#   vm.sh setup              install what the VM needs (first time only) and
#                            build the kernel + initramfs cache; quick after.
#   vm.sh run SHARE [OPTS]   boot, run SHARE/cmd.sh inside as root (cwd SHARE),
#                            power off; exits with cmd.sh's status. OPTS are
#                            vivid module options (default: one capture node,
#                            one webcam input).
#
# Inside the VM the host's root filesystem is the root, read-only through 9p
# with a throw-away in-memory layer on top, so the host's binaries, models and
# libraries run at their host paths; SHARE (an absolute host folder) is
# mounted writable at the same path for results.
#
# Exit status 77 with one line "SKIP: why" means this machine cannot run the
# VM (not Linux on x86_64, or nothing to install the packages with).
#
# QEMU runs with TCG (software emulation): /dev/kvm on the machines this was
# built on is a PVM-style nested KVM that cannot boot a stock Debian kernel.
# On a host with a real KVM set HUNCH_VM_ACCEL='-enable-kvm -cpu host'.
# Environment: HUNCH_VM_CACHE (default ~/.cache/hunch/camera-vm),
# HUNCH_VM_SMP (vCPUs, 1), HUNCH_VM_MEM (MiB, 1536), HUNCH_VM_TIMEOUT (s, 600:
# only a guard against a hung VM), HUNCH_VM_ACCEL.
set -euo pipefail

cache=${HUNCH_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hunch/camera-vm}
host_pkgs=(qemu-system-x86 busybox-static cpio kmod v4l-utils)
default_opts='n_devs=1 node_types=0x1 num_inputs=1 input_types=0x00'

skip() { echo "SKIP: $*"; exit 77; }
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"; else return 99; fi
}

setup() {
  [ "$(uname -s)" = Linux ] || skip "the camera VM needs Linux (this is $(uname -s))"
  [ "$(uname -m)" = x86_64 ] || skip "the camera VM needs an x86_64 host (this is $(uname -m))"
  command -v dpkg-query >/dev/null && command -v apt-get >/dev/null ||
    skip "the camera VM needs Debian's apt to fetch its packages and kernel"
  local missing=() p
  for p in "${host_pkgs[@]}"; do have_pkg "$p" || missing+=("$p"); done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "camera VM setup: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq || { [ $? = 99 ] && skip "needs root or sudo to install: ${missing[*]}"; exit 1; }
    as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  mkdir -p "$cache"
  # The kernel: whatever Debian's linux-image-amd64 points at, unpacked.
  if [ ! -f "$cache/kernel.ok" ]; then
    local kpkg
    kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')
    if [ -z "$kpkg" ]; then
      as_root apt-get update -qq || true
      kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')
    fi
    [ -n "$kpkg" ] || skip "no Debian kernel package (linux-image-amd64) known to apt"
    echo "camera VM setup: fetching $kpkg" >&2
    rm -rf "$cache/kernel" "$cache/deb" "$cache/initrd.cpio.gz"
    mkdir -p "$cache/deb"
    (cd "$cache/deb" && apt-get download -qq -o APT::Sandbox::User="$(id -un)" "$kpkg")
    dpkg-deb -x "$cache"/deb/*.deb "$cache/kernel"
    rm -rf "$cache/deb"
    local kver
    kver=$(ls "$cache/kernel/lib/modules")
    depmod -b "$cache/kernel" "$kver"
    echo "$kver" > "$cache/kernel.ok"
  fi
  [ -f "$cache/initrd.cpio.gz" ] || build_initrd
}

# A busybox initramfs with the module chains for virtio, 9p, overlay and vivid.
build_initrd() {
  local kver root mods
  kver=$(cat "$cache/kernel.ok")
  mods="$cache/kernel/lib/modules/$kver"
  root=$(mktemp -d "$cache/initramfs.XXXXXX")
  mkdir -p "$root"/{bin,proc,sys,dev,lower,upper,newroot,lib/modules/"$kver"}
  cp /bin/busybox "$root/bin/busybox"
  local a
  for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$root/bin/$a"; done
  local m f
  for m in virtio_pci 9pnet_virtio 9p overlay vivid; do
    modprobe -d "$cache/kernel" -S "$kver" --show-depends "$m" | awk '$1=="insmod"{print $2}'
  done | sort -u | while read -r f; do
    local rel=${f#"$mods"/}
    mkdir -p "$root/lib/modules/$kver/$(dirname "$rel")"
    cp "$f" "$root/lib/modules/$kver/$rel"
  done
  cp "$mods"/modules.{order,builtin,builtin.modinfo} "$root/lib/modules/$kver/"
  depmod -b "$root" "$kver"
  cat > "$root/init" <<'EOF'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
arg() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" /proc/cmdline; }
for m in virtio_pci 9pnet_virtio 9p overlay; do modprobe $m || echo "vm: modprobe $m failed"; done
o='trans=virtio,version=9p2000.L,msize=512000'
mount -t 9p -o $o,cache=loose,ro hostroot /lower || { echo "vm: cannot mount the host root"; poweroff -f; }
mount -t tmpfs -o size=60% tmpfs /upper; mkdir -p /upper/u /upper/w
mount -t overlay overlay -o lowerdir=/lower,upperdir=/upper/u,workdir=/upper/w /newroot
mount -t proc proc /newroot/proc; mount -t sysfs sys /newroot/sys; mount -t devtmpfs dev /newroot/dev
mkdir -p /newroot/dev/pts /newroot/dev/shm /newroot/tmp
mount -t devpts devpts /newroot/dev/pts; mount -t tmpfs tmpfs /newroot/dev/shm
share=$(arg hshare)
mkdir -p "/newroot$share"
mount -t 9p -o $o share "/newroot$share" || { echo "vm: cannot mount the share"; poweroff -f; }
opts=$(arg vividopts | tr ':' ' ')
[ "$opts" = none ] || modprobe vivid $opts || echo "vm: modprobe vivid failed"
chroot /newroot /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  /bin/sh -c "cd '$share' && /bin/sh ./cmd.sh > ./out.log 2>&1; echo \$? > ./rc"
sync; umount "/newroot$share"; poweroff -f
EOF
  chmod +x "$root/init"
  (cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$cache/initrd.tmp"
  mv "$cache/initrd.tmp" "$cache/initrd.cpio.gz"
  rm -rf "$root"
}

run() {
  local share=${1:?usage: vm.sh run SHARE [vivid options]}
  local opts=${2:-$default_opts}
  case $share in /*) ;; *) echo "vm.sh: SHARE must be an absolute path" >&2; exit 2;; esac
  case $share in *[[:space:]]*) echo "vm.sh: SHARE must not contain spaces" >&2; exit 2;; esac
  [ -f "$share/cmd.sh" ] || { echo "vm.sh: no $share/cmd.sh to run" >&2; exit 2; }
  [ -f "$cache/initrd.cpio.gz" ] || { echo "vm.sh: run 'vm.sh setup' first" >&2; exit 2; }
  local kver
  kver=$(cat "$cache/kernel.ok")
  rm -f "$share/rc" "$share/out.log"
  # shellcheck disable=SC2086 # HUNCH_VM_ACCEL is a list of QEMU arguments
  timeout "${HUNCH_VM_TIMEOUT:-600}" qemu-system-x86_64 ${HUNCH_VM_ACCEL:--accel tcg -cpu max} \
    -m "${HUNCH_VM_MEM:-1536}" -smp "${HUNCH_VM_SMP:-1}" \
    -kernel "$cache/kernel/boot/vmlinuz-$kver" -initrd "$cache/initrd.cpio.gz" \
    -append "console=ttyS0 quiet loglevel=3 panic=-1 hshare=$share vividopts=${opts// /:}" \
    -display none -serial stdio -monitor none -no-reboot -nic none \
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
    -virtfs "local,path=$share,mount_tag=share,security_model=none" \
    </dev/null >"$share/console.log" 2>&1 || true
  [ -f "$share/rc" ] || { echo "vm.sh: the VM ended without an exit status; see $share/console.log" >&2; exit 125; }
  exit "$(cat "$share/rc")"
}

case ${1:-} in
  setup) setup ;;
  run) shift; run "$@" ;;
  *) echo "usage: vm.sh setup | vm.sh run SHARE [vivid options]" >&2; exit 2 ;;
esac
