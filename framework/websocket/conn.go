package websocket

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Conn is a server's WebSocket connection, returned by Upgrade. One
// goroutine may read (NextReader, ReadMessage) while another writes
// (NextWriter, WriteMessage); Ping, Close and Shutdown may be called from
// any goroutine.
//
// Reading drives the protocol: a ping is answered with a pong as it is
// read, a close frame is answered and ends the connection, and a frame
// that breaks RFC 6455 fails the connection with the right close code.
// So keep a goroutine reading, even if it only discards messages.
type Conn struct {
	nc           net.Conn
	raw          net.Conn // the socket under nc, for its CloseWrite
	log          *slog.Logger
	subprotocol  string
	closeTimeout time.Duration
	pingInterval time.Duration

	// Reading, by one goroutine at a time; rmu also tells Close whether
	// someone is reading.
	rmu     sync.Mutex
	rbuf    []byte
	r, w    int // rbuf[r:w] is read from the socket but not yet decoded
	dec     Decoder
	readErr error  // sticky: once reading fails, it fails for good
	hdr     Header // the current data frame
	msgDone bool   // the current message was read to its end
	ctrl    [125]byte
	mr      messageReader
	inflate *inflater // permessage-deflate, if negotiated

	// Writing. wmu is held for one frame at a time, so that a pong or a
	// close from the reading goroutine can go out between the fragments
	// of a message being streamed.
	wmu           sync.Mutex
	wbuf          []byte // maxHeader bytes of room for a header, then payload
	writeErr      error
	closeSent     bool
	writeDeadline atomic.Int64 // the caller's write deadline, UnixNano; 0 for none
	mw            messageWriter
	deflate       *deflater       // permessage-deflate, if negotiated
	rsv           uint8           // reserved bits of the frame being written
	hbuf          [maxHeader]byte // a header being written, kept here so it does not escape

	closeRecv chan struct{} // closed when the peer's close frame arrives
	recvOnce  sync.Once
	done      chan struct{} // closed when the socket is closed
	doneOnce  sync.Once
	cause     atomic.Pointer[error] // why the socket was closed, for the reader
	activity  atomic.Uint64         // frames received, for the heartbeat
}

// maxHeader is the longest header of an unmasked frame.
const maxHeader = 10

// Errors of the connection.
var (
	// ErrCloseSent is returned by writes after the close frame went out.
	ErrCloseSent = errors.New("websocket: close frame already sent")
	// ErrPeerUnresponsive is the reading error after the heartbeat found
	// the peer silent for a whole ping interval.
	ErrPeerUnresponsive = errors.New("websocket: peer did not answer ping")
	// ErrCloseTimeout is returned by Close when the peer did not answer
	// the close frame within the close timeout.
	ErrCloseTimeout = errors.New("websocket: peer did not answer the close frame in time")
	errInvalidClose = errors.New("websocket: Close with a code that may not be sent")
	errWriterOpen   = errors.New("websocket: a message writer is still open; close it first")
)

// CloseError is the reading error after the connection ended: the code
// and reason of the peer's close frame, or CloseAbnormalClosure (1006)
// when the connection dropped without one.
type CloseError struct {
	Code   CloseCode
	Reason string
}

// Error returns "websocket: close" followed by the code and the reason.
func (e *CloseError) Error() string {
	s := "websocket: close " + strconv.Itoa(int(e.Code))
	if e.Reason != "" {
		s += " " + e.Reason
	}
	return s
}

func newConn(nc net.Conn, buffered []byte, role Role, opts Options, log *slog.Logger) *Conn {
	rsize, wsize := opts.ReadBufferSize, opts.WriteBufferSize
	if rsize <= 0 {
		rsize = DefaultBufferSize
	}
	if wsize <= 0 {
		wsize = DefaultBufferSize
	}
	c := &Conn{
		nc:           nc,
		raw:          nc,
		log:          log,
		closeTimeout: opts.CloseTimeout,
		pingInterval: opts.PingInterval,
		rbuf:         make([]byte, max(rsize, len(buffered))),
		wbuf:         make([]byte, maxHeader+wsize),
		msgDone:      true,
		closeRecv:    make(chan struct{}),
		done:         make(chan struct{}),
	}
	if c.closeTimeout <= 0 {
		c.closeTimeout = DefaultCloseTimeout
	}
	c.w = copy(c.rbuf, buffered)
	c.dec.Role = role
	switch {
	case opts.MaxMessageSize == 0:
		c.dec.MaxMessage = DefaultMaxMessageSize
	case opts.MaxMessageSize > 0:
		c.dec.MaxMessage = opts.MaxMessageSize
	}
	c.mr.c = c
	c.mw.c = c
	return c
}

// start begins the heartbeat, if there is one.
func (c *Conn) start() {
	if c.pingInterval > 0 {
		go c.heartbeat()
	}
}

// Subprotocol returns the subprotocol chosen in the handshake, if any.
func (c *Conn) Subprotocol() string { return c.subprotocol }

// RemoteAddr returns the peer's address.
func (c *Conn) RemoteAddr() net.Addr { return c.nc.RemoteAddr() }

// LocalAddr returns the server's address.
func (c *Conn) LocalAddr() net.Addr { return c.nc.LocalAddr() }

// SetReadDeadline sets the deadline for reads. A read that times out
// leaves the connection unreadable (a frame may be half read): close it.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.nc.SetReadDeadline(t) }

// SetWriteDeadline sets the deadline for writes. A write that times out
// leaves the connection unwritable.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	var ns int64
	if !t.IsZero() {
		ns = t.UnixNano()
	}
	c.writeDeadline.Store(ns)
	return c.nc.SetWriteDeadline(t)
}

// ---- reading ----

// The rules for inflated messages, checked on the inflated bytes.
var (
	errInflatedTooBig = perr(CloseMessageTooBig, "inflated message exceeds the size limit", "RFC 6455 §7.4.1")
	errBadDeflate     = perr(CloseInvalidFramePayloadData, "invalid compressed data", "RFC 7692 §6.2")
)

// peerClosed answers the peer's close frame with one of our own (unless
// ours went first), then closes the socket: §7.1.1 has the server close
// TCP first, so that the client is not left in TIME_WAIT.
func (c *Conn) peerClosed(code CloseCode, reason string) error {
	c.recvOnce.Do(func() { close(c.closeRecv) })
	c.wmu.Lock()
	if !c.closeSent && c.writeErr == nil {
		// §5.5.1: the endpoint "typically echos the status code it
		// received".
		c.closeSent = true
		_ = c.writeFrameLocked(OpClose, true, AppendClosePayload(nil, code, ""), true)
	}
	c.wmu.Unlock()
	c.closeNet(nil)
	c.log.Debug("websocket: closed by peer", "code", int(code), "reason", reason, "remote", c.nc.RemoteAddr().String())
	c.readErr = &CloseError{Code: code, Reason: reason}
	return c.readErr
}

// fail fails the connection (§7.1.7) after a frame that broke a rule:
// it sends a close frame with the rule's code, lets the peer read it,
// and closes the socket.
func (c *Conn) fail(err error) error {
	pe, ok := err.(*ProtocolError)
	if !ok {
		pe = &ProtocolError{Code: CloseInternalServerErr, Reason: err.Error(), Section: "RFC 6455 §7.4.1"}
	}
	c.log.Info("websocket: failing the connection", "code", int(pe.Code), "reason", pe.Reason,
		"section", pe.Section, "remote", c.nc.RemoteAddr().String())
	c.wmu.Lock()
	sent := false
	if !c.closeSent && c.writeErr == nil {
		c.closeSent = true
		sent = c.writeFrameLocked(OpClose, true, AppendClosePayload(nil, pe.Code, pe.Reason), true) == nil
	}
	c.wmu.Unlock()
	if sent {
		c.linger()
	}
	c.closeNet(nil)
	c.readErr = pe
	return pe
}

// linger half-closes the socket and reads until the peer hangs up or the
// close timeout passes. Closing at once, with the peer's bytes unread,
// would make the kernel answer with a reset that can destroy the close
// frame before the peer reads it.
func (c *Conn) linger() {
	if cw, ok := c.raw.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
	}
	_ = c.nc.SetReadDeadline(time.Now().Add(c.closeTimeout))
	for range 1 << 16 { // bounded: at most that many reads of rbuf
		if _, err := c.nc.Read(c.rbuf); err != nil {
			return
		}
	}
}

// readFailed records a failed read of the socket.
func (c *Conn) readFailed(err error) error {
	if p := c.cause.Load(); p != nil {
		c.readErr = *p
		return c.readErr
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		c.readErr = err // the caller's deadline; the caller decides
		return err
	}
	c.closeNet(nil)
	c.readErr = &CloseError{Code: CloseAbnormalClosure, Reason: err.Error()}
	return c.readErr
}

// ---- writing ----

// ---- closing ----

// Close starts the close handshake (§7.1.2) with code and reason, waits
// up to the close timeout for the peer's close frame, and closes the
// socket. If another goroutine is reading, it sees the peer's answer and
// returns a *CloseError; otherwise Close reads, discarding any messages
// still in flight. Close returns ErrCloseTimeout if the peer did not
// answer in time. CloseNoStatusReceived sends a close frame without a
// code. Calling Close again only waits for the socket to close.
func (c *Conn) Close(code CloseCode, reason string) error {
	return c.closeWithin(code, reason, c.closeTimeout)
}

// Shutdown closes the connection as a server going away: a close frame
// with 1001, then the wait for the peer's answer, up to ctx's deadline or
// the close timeout, whichever is sooner. It is what a server's own
// Shutdown should call for every upgraded connection.
func (c *Conn) Shutdown(ctx context.Context) error {
	timeout := c.closeTimeout
	if d, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(d))
	}
	return c.closeWithin(CloseGoingAway, "server shutting down", max(timeout, 0))
}

func (c *Conn) closeWithin(code CloseCode, reason string, timeout time.Duration) error {
	if code != CloseNoStatusReceived && !ValidCloseCode(code) {
		return errInvalidClose
	}
	c.wmu.Lock()
	var err error
	if !c.closeSent && c.writeErr == nil {
		c.closeSent = true
		err = c.writeFrameLocked(OpClose, true, AppendClosePayload(nil, code, reason), true)
	}
	c.wmu.Unlock()
	if err != nil {
		c.closeNet(nil)
		return err
	}
	deadline := time.Now().Add(timeout)
	_ = c.nc.SetReadDeadline(deadline)
	if c.rmu.TryLock() {
		// Nobody reads: read here until the peer's close frame, or the
		// deadline, ends the reading.
		for range 1 << 20 {
			if _, _, err := c.nextReader(); err != nil {
				break
			}
		}
		c.rmu.Unlock()
	} else {
		t := time.NewTimer(time.Until(deadline))
		select {
		case <-c.closeRecv:
		case <-t.C:
		}
		t.Stop()
	}
	c.closeNet(nil)
	select {
	case <-c.closeRecv:
		return nil
	default:
		return ErrCloseTimeout
	}
}

// closeNet closes the socket once, recording why for the reader.
func (c *Conn) closeNet(cause error) {
	c.doneOnce.Do(func() {
		if cause != nil {
			c.cause.Store(&cause)
		}
		close(c.done)
		_ = c.nc.Close()
	})
}

// Done returns a channel that is closed when the socket is closed.
func (c *Conn) Done() <-chan struct{} { return c.done }

// heartbeat pings the peer every interval and closes the connection if
// nothing at all arrived during a whole interval after a ping.
func (c *Conn) heartbeat() {
	t := time.NewTicker(c.pingInterval)
	defer t.Stop()
	last := c.activity.Load()
	pinged := false
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
		}
		now := c.activity.Load()
		if pinged && now == last {
			c.log.Info("websocket: peer did not answer ping; closing", "remote", c.nc.RemoteAddr().String())
			c.closeNet(ErrPeerUnresponsive)
			return
		}
		last, pinged = now, true
		if err := c.writeControl(OpPing, nil); err != nil {
			return
		}
	}
}
