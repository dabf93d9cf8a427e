package framework

import "context"

// The client-gone watch: while a handler runs, the socket is otherwise
// unread, and a client that closes its side would go unnoticed until the
// response is written. The watch reads it in the background.

// bgRead watches a connection while its handler runs, the way net/http
// does: a one-byte read that returns EOF means the client went away, and
// the request's context is cancelled. It starts only when a handler asked
// for the context and the body has been read (the handler owns reads
// until then), and it is stopped by moving the read deadline to the past.
// A connection holds one (cn.bg) only while it runs, so that an idle
// connection is smaller for it.
type bgRead struct {
	done chan struct{}
	got  bool // the read returned a byte: the start of the next request
	err  error
}

// startWatch starts the watch, unless it runs or is not needed.
func (cn *conn) startWatch(cancel context.CancelFunc) {
	if cn.bg != nil || cn.r != cn.w || cn.hijacked {
		// Pipelined bytes are already buffered: the client is there.
		return
	}
	b := &bgRead{done: make(chan struct{})}
	cn.bg = b
	cn.setReadDeadline(noDeadline)
	go func() {
		defer close(b.done)
		n, err := cn.nc.Read(cn.one[:])
		b.got = n == 1
		if err != nil && !isTimeout(err) {
			b.err = err
			cancel()
		}
	}()
}

// stopWatch ends the watch, if it runs. It is small enough to inline: the
// loop calls it after every request, and mostly nothing runs.
func (cn *conn) stopWatch() {
	if cn.bg != nil {
		cn.haltWatch()
	}
}

// haltWatch interrupts the watch's read and waits for it to end.
func (cn *conn) haltWatch() {
	b := cn.bg
	cn.setReadDeadline(deadlinePast)
	<-b.done
	cn.bg = nil
	cn.setReadDeadline(noDeadline)
	if b.got {
		// Nothing was buffered when the read started, so the byte is
		// the whole of the unread input.
		cn.rbuf[0] = cn.one[0]
		cn.r, cn.w = 0, 1
	}
	if b.err != nil {
		cn.closeAfter("the client went away")
	}
}

// bodyDone runs when the last request body byte has been read: the socket
// is free again, so the watch may begin if the handler asked for the
// request's context.
func (cn *conn) bodyDone() {
	if c := cn.ctx; c.cancel != nil {
		cn.startWatch(c.cancel)
	}
}
