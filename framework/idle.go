package framework

import (
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// Between requests: the idle wait, parking, and the pools that let an idle
// connection hold no buffer. The loop in conn.go calls waitFirstByte when
// nothing is buffered, and acquire/release move the buffers and the Ctx in
// and out of their pools.

const readBufSize = 4 << 10

// Buffer pools. An idle keep-alive connection holds no buffer and no Ctx:
// only its goroutine, its socket and the small conn struct.
var (
	readBufPool  = sync.Pool{New: func() any { b := make([]byte, readBufSize); return &b }}
	writeBufPool = sync.Pool{New: func() any { b := make([]byte, 0, readBufSize); return &b }}
	ctxPool      = sync.Pool{New: func() any { return new(Ctx) }}
)

// idleGrace is how long a connection waits for its next request on the
// goroutine that served the last one, at the least. A goroutine's stack
// grows while it serves a request and does not shrink while it waits, so
// a connection idle for longer moves to a fresh goroutine with a minimal
// stack: ten thousand idle keep-alive connections then cost a few KiB
// each. Busy connections, whose next request comes within the grace,
// never move. (Under Server.ServeConn the wait stays on the caller's
// goroutine, which waits for the end of the connection anyway; the
// buffers still go back.)
//
// A busy connection is not always a quick one: with thousands of
// connections sharing the server, each sees its next request tens or
// hundreds of milliseconds after the last, and parking and waking for
// every request costs reads, a timer, a goroutine and its stack, and an
// allocation or two. So the grace follows the connection (see idlePace):
// one that parks and is woken soon after, within maxIdleGrace, waits
// twice as long as that wait next time. A connection that has never
// parked and woken so, or whose last wake came after a long pause, waits
// idleGrace.
const (
	idleGrace    = 10 * time.Millisecond
	maxIdleGrace = 500 * time.Millisecond
)

// idlePace is the grace a connection has earned. It changes only when a
// parked connection wakes, so that a busy connection pays nothing for it
// between requests. It fits in two bytes, beside a bool of the conn
// struct, so that an idle connection is no larger for it.
type idlePace struct {
	extraMs uint16 // grace beyond idleGrace, in milliseconds
}

// grace returns how long the connection waits on its goroutine.
func (p *idlePace) grace() time.Duration {
	return idleGrace + time.Duration(p.extraMs)*time.Millisecond
}

// woke records that a parked connection's request came d after its wait
// began: a grace of 2d would have kept it on its goroutine. A request
// after a pause longer than maxIdleGrace brings the grace back to
// idleGrace.
func (p *idlePace) woke(d time.Duration) {
	switch {
	case d > maxIdleGrace:
		p.extraMs = 0
	case 2*d > maxIdleGrace:
		p.extraMs = uint16((maxIdleGrace - idleGrace) / time.Millisecond)
	case 2*d > p.grace():
		p.extraMs = uint16((2*d - idleGrace) / time.Millisecond)
	}
}

type waitResult uint8

const (
	waitGot  waitResult = iota // a byte arrived: read the head
	waitPark                   // still idle after the grace: serve returns, to go on from a fresh goroutine
	waitEnd                    // end of stream, timeout, shutdown: close
)

// waitFirstByte waits between requests, in two phases. First, for the
// grace (idleGrace, or longer for a connection that has earned it), on
// this goroutine and straight into the read buffer: a busy
// client's next request comes within moments, and costs one read. A
// connection still idle then gives its buffers and Ctx back to the pools
// and moves to a fresh goroutine (waitPark), which waits with a one-byte
// read: an idle connection holds no buffer, only its socket, the conn
// struct and a small stack.
func (cn *conn) waitFirstByte() waitResult {
	limit := orDefault(cn.srv.IdleTimeout, DefaultIdleTimeout)
	if cn.served == 0 {
		limit = orDefault(cn.srv.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	}
	if !cn.parked {
		// One reading of the clock serves both the write deadline of
		// this flush and the start of the idle wait.
		cn.idleSince = monoNow()
		if cn.flushAt(cn.idleSince) != nil {
			return waitEnd
		}
		if !cn.state.CompareAndSwap(stateActive, stateIdle) || cn.srv.shuttingDown() {
			return waitEnd
		}
		if limit > cn.pace.grace() {
			return cn.waitBriefly()
		}
		cn.release()
	}
	wasParked := cn.parked
	cn.parked = false
	cn.setReadDeadline(cn.idleSince + monotime(limit))
	n, err := cn.nc.Read(cn.one[:])
	if wasParked {
		cn.srv.unpark(cn)
	}
	if !cn.woke(n, err) {
		return waitEnd
	}
	if wasParked {
		cn.pace.woke(time.Duration(monoNow() - cn.idleSince))
	}
	cn.acquire()
	cn.rbuf[0] = cn.one[0]
	cn.r, cn.w = 0, 1
	if cn.trace != nil {
		cn.trace.read(cn.rbuf[:1])
	}
	return waitGot
}

// waitBriefly is the first phase of waitFirstByte.
func (cn *conn) waitBriefly() waitResult {
	if len(cn.rbuf) != readBufSize {
		cn.release() // hand back a buffer one large head made grow
	}
	cn.acquire()
	cn.r, cn.w = 0, 0
	// The grace need not be exact, and moving a timer for every request
	// costs more than the rest of reading one: keep a deadline set for an
	// earlier request while it is still at least half the grace away.
	grace := monotime(cn.pace.grace())
	if left := cn.readDead - cn.idleSince; left < grace/2 || left > grace {
		cn.setReadDeadline(cn.idleSince + grace)
	}
	n, err := cn.nc.Read(cn.rbuf)
	if n == 0 && isTimeout(err) {
		cn.release()
		cn.parked = true    // still stateIdle: Shutdown may close it
		cn.srv.parkIdle(cn) // and a new connection may evict it (Server.MaxConns)
		return waitPark
	}
	if !cn.woke(n, err) {
		return waitEnd
	}
	cn.w = n
	if cn.trace != nil {
		cn.trace.read(cn.rbuf[:n])
	}
	return waitGot
}

// woke reports whether the read that ended an idle wait brought a
// request: some bytes, and no Shutdown that closed the connection first.
func (cn *conn) woke(n int, err error) bool {
	if !cn.state.CompareAndSwap(stateIdle, stateActive) {
		return false // Shutdown closed us while idle
	}
	if n == 0 {
		if err != nil && !errors.Is(err, io.EOF) && !isTimeout(err) && !errors.Is(err, net.ErrClosed) {
			cn.srv.logger().Debug("idle connection read failed", "remote", cn.remoteAddr(), "err", err)
		}
		return false
	}
	return true
}

// makeRoom ensures rbuf has free space after w, first by moving unread
// bytes to the front, then by growing the buffer up to a little past the
// header limit (the parser answers 431 beyond it).
func (cn *conn) makeRoom() {
	if cn.w < len(cn.rbuf) {
		return
	}
	if cn.r > 0 {
		cn.w = copy(cn.rbuf, cn.rbuf[cn.r:cn.w])
		cn.r = 0
		return
	}
	size := min(2*len(cn.rbuf), cn.env.lim.MaxHeaderBytes+readBufSize)
	if size <= len(cn.rbuf) {
		size = len(cn.rbuf) + readBufSize
	}
	nb := make([]byte, size)
	copy(nb, cn.rbuf[:cn.w])
	cn.rbuf = nb
}

func (cn *conn) acquire() {
	if cn.rbuf == nil {
		cn.rbufp = readBufPool.Get().(*[]byte)
		cn.rbuf = *cn.rbufp
	}
	if cn.wbuf == nil {
		cn.wbufp = writeBufPool.Get().(*[]byte)
		cn.wbuf = (*cn.wbufp)[:0]
	}
	if cn.ctx == nil {
		cn.ctx = ctxPool.Get().(*Ctx)
	}
}

// release returns buffers and the Ctx to their pools. Only buffers of the
// standard size are pooled, so one large request does not pin memory.
func (cn *conn) release() {
	// The pools hold *[]byte, and the pointer we got is handed back:
	// putting a fresh &slice would allocate on every idle period.
	if cn.rbuf != nil && cn.r == cn.w {
		if len(cn.rbuf) == readBufSize {
			readBufPool.Put(cn.rbufp) // not grown: still the pooled array
		}
		cn.rbuf, cn.rbufp, cn.r, cn.w = nil, nil, 0, 0
	}
	if cn.wbuf != nil && len(cn.wbuf) == 0 {
		if cap(cn.wbuf) <= 64<<10 {
			*cn.wbufp = cn.wbuf
			writeBufPool.Put(cn.wbufp)
		}
		cn.wbuf, cn.wbufp = nil, nil
	}
	if cn.ctx != nil {
		cn.ctx.recycle()
		ctxPool.Put(cn.ctx)
		cn.ctx = nil
	}
}

// closeIfIdle closes the connection if it waits between requests, for
// Shutdown. It reports whether it did.
func (cn *conn) closeIfIdle() bool {
	if cn.state.CompareAndSwap(stateIdle, stateClosed) {
		cn.nc.Close()
		return true
	}
	return false
}
