package framework

import (
	"errors"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/groundup-go/groundup/framework/http1"
)

// Output and the end of a connection: the write buffer and its flushes,
// the socket deadlines, the canned answer to a request that never reached
// a handler, and the (lingering) close.

// write appends p to the output, sending large writes straight to the
// socket together with what is pending, in one writev.
func (cn *conn) write(p []byte) error {
	if len(p) < 2048 {
		cn.wbuf = append(cn.wbuf, p...)
		if len(cn.wbuf) >= wbufFlushSize {
			return cn.flush()
		}
		return nil
	}
	cn.setWriteDeadline(monoNow())
	if cn.trace != nil {
		cn.trace.wrote(append(cn.wbuf[:len(cn.wbuf):len(cn.wbuf)], p...))
	}
	v := writeVecs.Get().(*writeVec)
	_, err := v.write(cn.nc, cn.wbuf, p)
	writeVecs.Put(v)
	cn.wbuf = cn.wbuf[:0]
	return err
}

// writeVec sends two slices in one writev without allocating: a
// net.Buffers made per write escapes to the heap, slice and header both,
// so writes take one from a pool, with the array under it. (A field of
// the conn would do as well, but every idle connection would carry it.)
type writeVec struct {
	arr  [2][]byte
	bufs net.Buffers
}

var writeVecs = sync.Pool{New: func() any { return new(writeVec) }}

// write sends a then b. Nothing of either is kept once it returns.
func (v *writeVec) write(nc net.Conn, a, b []byte) (int64, error) {
	v.arr[0], v.arr[1] = a, b
	v.bufs = v.arr[:]
	n, err := v.bufs.WriteTo(nc)
	v.arr[0], v.arr[1], v.bufs = nil, nil, nil
	return n, err
}

// flush writes the pending output to the socket.
func (cn *conn) flush() error {
	if len(cn.wbuf) == 0 {
		return nil
	}
	return cn.flushAt(monoNow())
}

// flushAt is flush for a caller that has just read the clock.
func (cn *conn) flushAt(now monotime) error {
	if len(cn.wbuf) == 0 {
		return nil
	}
	cn.setWriteDeadline(now)
	if cn.trace != nil {
		cn.trace.wrote(cn.wbuf)
	}
	_, err := cn.nc.Write(cn.wbuf)
	cn.wbuf = cn.wbuf[:0]
	if err != nil {
		cn.srv.logger().Debug("write failed; closing connection", "remote", cn.remoteAddr(), "err", err)
	}
	return err
}

// monotime is a reading of the monotonic clock, in nanoseconds since
// clockStart: the connection's clock for its deadlines and waits. Reading
// it costs one clock read where time.Now costs two (the wall clock as
// well), and comparing two readings is a subtraction, where time.Time's
// Sub has the wall and monotonic forms to reconcile. The loop reads it
// once between requests, so this is most of what timing a wait costs.
type monotime int64

var clockStart = time.Now()

// monoNow reads the clock.
func monoNow() monotime { return monotime(time.Since(clockStart)) }

// Deadlines as monotime: noDeadline is none, deadlinePast one that has
// passed already, which aborts a blocked read.
const (
	noDeadline   monotime = 0
	deadlinePast monotime = -1
)

// deadline returns m as a socket deadline.
func (m monotime) deadline() time.Time {
	if m == noDeadline {
		return time.Time{}
	}
	return clockStart.Add(time.Duration(m))
}

// setReadDeadline moves the socket's read deadline and remembers it, so
// that waitBriefly can tell when the one already set will do.
func (cn *conn) setReadDeadline(t monotime) {
	cn.readDead = t
	cn.nc.SetReadDeadline(t.deadline())
}

// setWriteDeadline bounds each write by WriteTimeout: a client that stops
// reading cannot hold the goroutine forever. A timer update is not free,
// so the deadline an earlier write set is kept while at least WriteTimeout
// less a second is left of it (half of it, for a WriteTimeout under two
// seconds): it moves at most once a second.
func (cn *conn) setWriteDeadline(now monotime) {
	d := monotime(orDefault(cn.srv.WriteTimeout, DefaultWriteTimeout))
	if cn.writeDead == noDeadline || cn.writeDead-now < d-min(d/2, monotime(time.Second)) {
		cn.writeDead = now + d
		cn.nc.SetWriteDeadline(cn.writeDead.deadline())
	}
}

// cannedError answers a request that never reached a handler: a protocol
// error, a body over the limit, a head that timed out. The connection
// closes after it (RFC 9112 §9.6), because the byte stream can no longer be
// trusted to hold a request boundary where we think.
func (cn *conn) cannedError(pe http1.ProtocolError) {
	cn.linger = true // the rest of the request is unread
	cn.closeAfter("protocol error")
	if cn.trace != nil {
		cn.trace.refused(&pe)
	}
	cn.srv.logger().Warn("protocol error", "status", pe.Status, "reason", pe.Reason, "remote", cn.remoteAddr())
	body := strconv.Itoa(pe.Status) + " " + StatusText(pe.Status) + ": " + pe.Reason + "\n"
	cn.wbuf = appendStatusLine(cn.wbuf, pe.Status)
	// nosniff: the body is text, whatever a browser would guess from it
	// (the reason echoes part of the request).
	cn.wbuf = append(cn.wbuf, "Content-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nContent-Length: "...)
	cn.wbuf = appendLength(cn.wbuf, int64(len(body)))
	cn.wbuf = append(cn.wbuf, "\r\n"...)
	cn.wbuf = appendDate(cn.wbuf)
	cn.wbuf = append(cn.wbuf, cn.env.serverLine...)
	cn.wbuf = append(cn.wbuf, "Connection: close\r\n\r\n"...)
	cn.wbuf = append(cn.wbuf, body...)
	cn.flush()
}

// sendContinue answers "Expect: 100-continue" when the handler first reads
// the body, unless the final response has begun.
func (cn *conn) sendContinue() error {
	if cn.ctx.res.committed {
		return nil
	}
	cn.wbuf = append(cn.wbuf, "HTTP/1.1 100 Continue\r\n\r\n"...)
	if cn.trace != nil {
		cn.trace.sentContinue()
	}
	return cn.flush()
}

// hijack hands the socket over to the handler, with the bytes already read
// past the request head. The connection writes nothing more and never
// closes the socket; the caller owns it.
func (cn *conn) hijack() (net.Conn, []byte, error) {
	cn.stopWatch()
	if err := cn.flush(); err != nil {
		return nil, nil, err
	}
	buffered := append([]byte(nil), cn.rbuf[cn.r:cn.w]...)
	cn.r = cn.w
	cn.hijacked = true
	cn.nc.SetWriteDeadline(time.Time{})
	cn.setReadDeadline(noDeadline)
	return cn.nc, buffered, nil
}

// Bounds of the lingering close: after a response, the server reads and
// discards what the client still sends for at most lingerTimeout and
// lingerBytes before it closes the socket for good.
const (
	lingerTimeout = 2 * time.Second
	lingerBytes   = 1 << 20
)

// close flushes and closes the socket. After a response (or whenever
// request bytes may be unread: a refused request, a body the handler
// left, pipelined requests after a close) it closes in stages, the
// "lingering close" of RFC 9112 §9.6: it half-closes the write side, so
// that the client sees the end of the response, then reads and discards
// what the client still sends until the client closes too, for at most
// lingerTimeout and lingerBytes, and only then closes. A plain close with
// request bytes unread, or arriving later, makes the kernel answer with a
// reset that destroys the end of the response still in flight.
func (cn *conn) close() {
	if cn.state.Swap(stateClosed) == stateClosed {
		return
	}
	if cn.wbuf != nil {
		cn.flush()
	}
	if cw, ok := cn.nc.(interface{ CloseWrite() error }); ok && (cn.linger || cn.r < cn.w) {
		if cw.CloseWrite() == nil {
			cn.drainUntilClosed()
		}
	}
	cn.nc.Close()
}

// drainUntilClosed is the reading half of the lingering close.
func (cn *conn) drainUntilClosed() {
	cn.setReadDeadline(monoNow() + monotime(lingerTimeout))
	var sink [4 << 10]byte
	for n := 0; n < lingerBytes; {
		m, err := cn.nc.Read(sink[:])
		n += m
		if err != nil {
			return
		}
	}
}

// abort closes the socket at once and cancels the requests' contexts.
func (cn *conn) abort() {
	cn.mu.Lock()
	cn.aborted.Store(true)
	if cn.cancel != nil {
		cn.cancel()
	}
	cn.mu.Unlock()
	cn.nc.Close()
}

func isTimeout(err error) bool {
	return errors.Is(err, os.ErrDeadlineExceeded)
}
