package framework

import (
	"net"
	"sync"
)

// Hijacked connections that stay the server's. Ctx.Hijack hands the
// socket over and forgets it: the slot is free again as soon as the
// handler returns, and Shutdown knows nothing of it. A long-lived
// protocol on the socket (WebSocket) would then escape MaxConns and
// outlive Shutdown. HijackConn keeps the connection counted until the
// hijacker releases it, and tells it when the server shuts down.

// HijackedConn is a connection taken over with Ctx.HijackConn. It is a
// net.Conn (the socket) whose Close also releases the connection's slot.
type HijackedConn struct {
	net.Conn
	// Buffered holds the bytes the server had read past the request head:
	// the start of the protocol that follows. Read them before the socket.
	Buffered []byte

	cn   *conn
	once sync.Once
}

// HijackConn takes the connection over from the server, like Hijack, but
// the connection keeps its slot among the server's MaxConns and counts as
// one of its MaxStreams until Close or Release. Shutdown waits for it like
// a request in flight: ShutdownNotify tells the hijacker to finish, and
// when Shutdown's context ends the socket is closed and the slot released
// for it. It fails with a 503 *HTTPError when MaxStreams streams are
// open, and like Hijack once the response has started.
func (c *Ctx) HijackConn() (*HijackedConn, error) {
	if c.res.committed {
		return nil, errHijackCommitted
	}
	srv := c.conn.srv
	if !srv.openStream() {
		return nil, errTooManyStreams
	}
	nc, buffered, err := c.Hijack()
	if err != nil {
		srv.closeStream()
		return nil, err
	}
	h := &HijackedConn{Conn: nc, Buffered: buffered, cn: c.conn}
	srv.mu.Lock()
	c.conn.kept = h
	srv.mu.Unlock()
	return h, nil
}

// Close closes the socket and releases the connection's slot.
func (h *HijackedConn) Close() error {
	err := h.Conn.Close()
	h.Release()
	return err
}

// Release gives the connection's slot back to the server without closing
// the socket, for a hijacker that hands the socket on. It is safe to call
// more than once, and after Close.
func (h *HijackedConn) Release() {
	h.once.Do(func() {
		h.cn.srv.closeStream()
		h.cn.srv.forget(h.cn)
	})
}

// ShutdownNotify returns a channel that is closed when the server's
// Shutdown or Close begins: the hijacker should then end its protocol
// cleanly (a WebSocket close frame, say) and Close.
func (h *HijackedConn) ShutdownNotify() <-chan struct{} { return h.cn.srv.shutdown }
