//! The one X11 request minifb lacks: asking the window manager to keep the
//! compact overlay above other windows (`_NET_WM_STATE_ABOVE`).

use std::ffi::{CStr, c_long};

use x11_dl::xlib;

/// `_NET_WM_STATE_ADD` in a `_NET_WM_STATE` client message.
const NET_WM_STATE_ADD: c_long = 1;

/// Marks window `id` as kept above others: the property (read by window
/// managers when the window is mapped, and by `xprop`) and the client
/// message EWMH asks for once the window is mapped.
pub fn keep_above(id: u64) -> Result<(), String> {
    let x = xlib::Xlib::open().map_err(|e| e.to_string())?;
    // SAFETY: plain Xlib calls on a display connection of our own, opened
    // and closed here; every pointer passed lives across the call using it.
    unsafe {
        let display = (x.XOpenDisplay)(std::ptr::null());
        if display.is_null() {
            return Err("cannot open the display".into());
        }
        let atom = |name: &CStr| (x.XInternAtom)(display, name.as_ptr(), 0);
        let state = atom(c"_NET_WM_STATE");
        let above = atom(c"_NET_WM_STATE_ABOVE");
        let window = id as xlib::Window;
        (x.XChangeProperty)(
            display,
            window,
            state,
            xlib::XA_ATOM,
            32,
            xlib::PropModeReplace,
            (&above as *const xlib::Atom).cast(),
            1,
        );
        let mut event: xlib::XEvent = std::mem::zeroed();
        event.client_message = xlib::XClientMessageEvent {
            type_: xlib::ClientMessage,
            serial: 0,
            send_event: 1,
            display,
            window,
            message_type: state,
            format: 32,
            data: xlib::ClientMessageData::new(),
        };
        let longs = event.client_message.data.as_longs_mut();
        longs[0] = NET_WM_STATE_ADD;
        longs[1] = above as c_long;
        longs[3] = 1;
        let root = (x.XDefaultRootWindow)(display);
        (x.XSendEvent)(
            display,
            root,
            0,
            xlib::SubstructureRedirectMask | xlib::SubstructureNotifyMask,
            &mut event,
        );
        (x.XFlush)(display);
        (x.XCloseDisplay)(display);
    }
    Ok(())
}
