package websocket

import (
	"context"
	"errors"
	"io"
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

// NextReader waits for the next data message and returns its type (OpText
// or OpBinary) and a reader of its payload, which ends with io.EOF at the
// message's end. Control frames that arrive on the way are handled. Any
// unread rest of the previous message is discarded. The reader is valid
// until the next call to NextReader.
//
// Once the connection has ended, NextReader returns a *CloseError, a
// *ProtocolError (the peer broke the protocol and the connection was
// failed with its code), or the error of the socket.
func (c *Conn) NextReader() (Opcode, io.Reader, error) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	return c.nextReader()
}

func (c *Conn) nextReader() (Opcode, io.Reader, error) {
	if c.readErr != nil {
		return 0, nil, c.readErr
	}
	// The rest of the previous message, read rather than skipped: a
	// compressed one must still pass through the inflater, whose window
	// the next message may refer to.
	var scratch [512]byte
	for range 1 << 30 {
		if c.msgDone {
			break
		}
		if _, err := c.mr.read(scratch[:]); err != nil && err != io.EOF {
			return 0, nil, err
		}
	}
	h, err := c.nextDataHeader()
	if err != nil {
		return 0, nil, err
	}
	c.hdr = h
	c.msgDone = false
	c.mr.rawDone = false
	c.mr.compressed = c.dec.Compressed()
	if c.mr.compressed {
		c.mr.size = 0
		c.mr.utf8.reset()
		c.mr.text = h.Opcode == OpText
		c.inflate.reset(rawReader{&c.mr})
	}
	return h.Opcode, &c.mr, nil
}

// ReadMessage reads a whole data message.
func (c *Conn) ReadMessage() (Opcode, []byte, error) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	op, _, err := c.nextReader()
	if err != nil {
		return 0, nil, err
	}
	// Size the buffer from the first frame when it is the whole message;
	// the decoder's limit has already checked that length, and the cap
	// keeps a message without a limit from asking for memory up front.
	size := int64(512)
	if c.hdr.Fin && !c.mr.compressed {
		size = min(c.dec.Remaining(), 1<<20)
	}
	b := make([]byte, 0, size)
	for {
		if len(b) == cap(b) {
			if !c.mr.compressed && c.dec.Remaining() == 0 && c.hdr.Fin {
				c.msgDone = true // exactly full: no need to grow to find the end
				return op, b, nil
			}
			b = append(b, 0)[:len(b)]
		}
		n, err := c.mr.read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return op, b, nil
		}
		if err != nil {
			return 0, nil, err
		}
	}
}

// messageReader reads the payload of the current message.
type messageReader struct {
	c          *Conn
	rawDone    bool // the payload on the wire has been read to its end
	compressed bool // the message is deflated: read passes through c.inflate
	text       bool
	size       int64 // inflated bytes so far, for the size limit
	utf8       utf8Validator
}

// rawReader reads the payload of a compressed message as it is on the
// wire, for the inflater.
type rawReader struct{ m *messageReader }

func (r rawReader) Read(p []byte) (int, error) { return r.m.readRaw(p) }

// The rules for inflated messages, checked on the inflated bytes.
var (
	errInflatedTooBig = perr(CloseMessageTooBig, "inflated message exceeds the size limit", "RFC 6455 §7.4.1")
	errBadDeflate     = perr(CloseInvalidFramePayloadData, "invalid compressed data", "RFC 7692 §6.2")
)

// Read reads the message's payload; it returns io.EOF at its end.
func (m *messageReader) Read(p []byte) (int, error) {
	m.c.rmu.Lock()
	defer m.c.rmu.Unlock()
	return m.read(p)
}

func (m *messageReader) read(p []byte) (int, error) {
	c := m.c
	if c.readErr != nil {
		return 0, c.readErr
	}
	if c.msgDone {
		return 0, io.EOF
	}
	if !m.compressed {
		n, err := m.readRaw(p)
		if err == io.EOF {
			c.msgDone = true
		}
		return n, err
	}
	n, err := c.inflate.fr.Read(p)
	if c.readErr != nil {
		return 0, c.readErr // the socket or a frame failed under the inflater
	}
	m.size += int64(n)
	if c.dec.MaxMessage > 0 && m.size > c.dec.MaxMessage {
		return 0, c.fail(errInflatedTooBig)
	}
	if m.text && !m.utf8.write(p[:n]) {
		return 0, c.fail(errInvalidUTF8)
	}
	c.inflate.remember(p[:n])
	switch {
	case err == io.EOF:
		if m.text && !m.utf8.complete() {
			return 0, c.fail(errInvalidUTF8)
		}
		c.msgDone = true
	case err != nil:
		return 0, c.fail(errBadDeflate)
	}
	return n, err
}

// readRaw reads the message's payload as it is on the wire.
func (m *messageReader) readRaw(p []byte) (int, error) {
	c := m.c
	if c.readErr != nil {
		return 0, c.readErr
	}
	if m.rawDone {
		return 0, io.EOF
	}
	for len(p) > 0 {
		if c.dec.Remaining() == 0 {
			if c.hdr.Fin {
				m.rawDone = true
				return 0, io.EOF
			}
			h, err := c.nextDataHeader()
			if err != nil {
				return 0, err
			}
			c.hdr = h
			continue
		}
		n, err := c.readPayload(p)
		if n > 0 || err != nil {
			return n, err
		}
	}
	return 0, nil
}

// nextDataHeader reads frames until a data frame's header, handling the
// control frames before it.
func (c *Conn) nextDataHeader() (Header, error) {
	for {
		h, err := c.readHeader()
		if err != nil {
			return h, err
		}
		if !h.Opcode.IsControl() {
			return h, nil
		}
		if err := c.readControl(h); err != nil {
			return h, err
		}
	}
}

// readHeader decodes the next frame header, reading as needed.
func (c *Conn) readHeader() (Header, error) {
	for {
		h, n, err := c.dec.Header(c.rbuf[c.r:c.w])
		if err == nil {
			c.r += n
			c.activity.Add(1)
			return h, nil
		}
		if err != ErrNeedMore {
			return h, c.fail(err)
		}
		if err := c.fill(); err != nil {
			return h, c.readFailed(err)
		}
	}
}

// fill reads more bytes from the socket into rbuf.
func (c *Conn) fill() error {
	if c.r == c.w {
		c.r, c.w = 0, 0
	} else if c.w == len(c.rbuf) {
		c.w = copy(c.rbuf, c.rbuf[c.r:c.w])
		c.r = 0
	}
	n, err := c.nc.Read(c.rbuf[c.w:])
	c.w += n
	if n > 0 {
		return nil // an error comes back on the next read
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// readPayload reads up to len(p) bytes of the current frame's payload
// into p, unmasked and checked.
func (c *Conn) readPayload(p []byte) (int, error) {
	if rem := c.dec.Remaining(); int64(len(p)) > rem {
		p = p[:rem]
	}
	var n int
	switch {
	case c.r < c.w:
		n = copy(p, c.rbuf[c.r:c.w])
		c.r += n
	case len(p) >= len(c.rbuf):
		// A large read goes straight into the caller's slice: a 16 MiB
		// message is not copied through the buffer.
		var err error
		n, err = c.nc.Read(p)
		if n == 0 {
			if err == nil {
				err = io.ErrNoProgress
			}
			return 0, c.readFailed(err)
		}
	default:
		if err := c.fill(); err != nil {
			return 0, c.readFailed(err)
		}
		n = copy(p, c.rbuf[c.r:c.w])
		c.r += n
	}
	if err := c.dec.Payload(p[:n]); err != nil {
		return 0, c.fail(err)
	}
	return n, nil
}

// readControl reads a control frame's payload and acts on it.
func (c *Conn) readControl(h Header) error {
	p := c.ctrl[:h.Length]
	for got := 0; got < len(p); {
		n, err := c.readPayload(p[got:])
		if err != nil {
			return err
		}
		got += n
	}
	switch h.Opcode {
	case OpPing:
		// §5.5.2: "Upon receipt of a Ping frame, an endpoint MUST send a
		// Pong frame in response", with the same application data. If
		// it cannot be sent, the writer finds out.
		_ = c.writeControl(OpPong, p)
	case OpClose:
		code, reason, _ := ParseClose(p) // the decoder has checked it
		return c.peerClosed(code, reason)
	}
	return nil // a pong: the frame counted as activity for the heartbeat
}

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

// WriteMessage sends data as one message of type op (OpText or OpBinary).
// Text must be valid UTF-8; that is the caller's promise, not checked.
func (c *Conn) WriteMessage(op Opcode, data []byte) error {
	if c.mw.open {
		return errWriterOpen // its frames would interleave with the open message's
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.writeMessageLocked(op, data)
}

// writeMessageLocked sends a whole message, compressed if that was
// negotiated; c.wmu is held.
func (c *Conn) writeMessageLocked(op Opcode, data []byte) error {
	if c.deflate == nil {
		return c.writeFrameLocked(op, true, data, false)
	}
	if c.writeErr != nil {
		return c.writeErr
	}
	z, err := c.deflate.compress(data)
	if err != nil {
		return err
	}
	c.rsv = RSV1
	err = c.writeFrameLocked(op, true, z, false)
	c.rsv = 0
	c.deflate.shrink()
	return err
}

// Ping sends a ping with an optional payload of up to 125 bytes.
func (c *Conn) Ping(payload []byte) error {
	if len(payload) > 125 {
		return errors.New("websocket: ping payload over 125 bytes")
	}
	return c.writeControl(OpPing, payload)
}

// writeControl sends a control frame between data frames.
func (c *Conn) writeControl(op Opcode, payload []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.writeFrameLocked(op, true, payload, true)
}

// writeFrameLocked writes one frame; c.wmu is held. A control frame gets
// a deadline of its own, the close timeout (or the caller's deadline, if
// sooner), so that a peer that stops reading cannot stall the reading
// goroutine that answers its pings.
func (c *Conn) writeFrameLocked(op Opcode, fin bool, payload []byte, control bool) error {
	if c.writeErr != nil {
		return c.writeErr
	}
	if c.closeSent && op != OpClose {
		return ErrCloseSent
	}
	if control {
		d := time.Now().Add(c.closeTimeout)
		if ns := c.writeDeadline.Load(); ns != 0 && ns < d.UnixNano() {
			d = time.Unix(0, ns)
		}
		_ = c.nc.SetWriteDeadline(d)
		defer c.restoreWriteDeadline()
	}
	hdr := AppendHeader(c.hbuf[:0], Header{Fin: fin, RSV: c.rsv, Opcode: op, Length: int64(len(payload))})
	var err error
	if len(hdr)+len(payload) <= len(c.wbuf) {
		n := copy(c.wbuf, hdr)
		n += copy(c.wbuf[n:], payload)
		_, err = c.nc.Write(c.wbuf[:n])
	} else {
		bufs := net.Buffers{hdr, payload}
		_, err = bufs.WriteTo(c.nc)
	}
	if err != nil {
		c.writeErr = err
	}
	return err
}

func (c *Conn) restoreWriteDeadline() {
	var t time.Time
	if ns := c.writeDeadline.Load(); ns != 0 {
		t = time.Unix(0, ns)
	}
	_ = c.nc.SetWriteDeadline(t)
}

// NextWriter starts a message of type op (OpText or OpBinary) and returns
// a writer of its payload. The payload goes out in fragments as the write
// buffer fills; Close sends the final fragment. Only one message can be
// written at a time: close the writer before the next message. With
// compression, the message is gathered and sent compressed on Close.
func (c *Conn) NextWriter(op Opcode) (io.WriteCloser, error) {
	if c.mw.open {
		return nil, errWriterOpen
	}
	c.mw.op = op
	c.mw.n = 0
	c.mw.open = true
	c.mw.pending = c.mw.pending[:0]
	return &c.mw, nil
}

// messageWriter streams a message as fragments.
type messageWriter struct {
	c    *Conn
	op   Opcode // of the next fragment: the message's, then continuation
	n    int    // payload bytes buffered in c.wbuf[maxHeader:]
	open bool

	pending []byte // the whole message, when it will be compressed
}

// Write adds p to the message.
func (w *messageWriter) Write(p []byte) (int, error) {
	if !w.open {
		return 0, errors.New("websocket: write to a closed message writer")
	}
	c := w.c
	if c.deflate != nil {
		w.pending = append(w.pending, p...)
		return len(p), nil
	}
	total := 0
	for len(p) > 0 {
		room := len(c.wbuf) - maxHeader - w.n
		if w.n == 0 && len(p) >= room {
			// A write at least a buffer long goes out as a fragment of
			// its own, without a copy.
			if err := w.flushFrame(false, p); err != nil {
				return total, err
			}
			return total + len(p), nil
		}
		k := copy(c.wbuf[maxHeader+w.n:], p)
		w.n += k
		total += k
		p = p[k:]
		if w.n == len(c.wbuf)-maxHeader {
			if err := w.flushFrame(false, nil); err != nil {
				return total, err
			}
		}
	}
	return total, nil
}

// Close sends the last fragment of the message.
func (w *messageWriter) Close() error {
	if !w.open {
		return nil
	}
	if w.c.deflate != nil {
		w.open = false
		w.c.wmu.Lock()
		defer w.c.wmu.Unlock()
		err := w.c.writeMessageLocked(w.op, w.pending)
		if cap(w.pending) > 1<<20 {
			w.pending = nil // a large message's buffer is not kept for the next
		}
		return err
	}
	err := w.flushFrame(true, nil)
	w.open = false
	return err
}

// flushFrame sends a fragment: p if given, else what is buffered, whose
// header goes right before it in the buffer so the frame is one write.
func (w *messageWriter) flushFrame(fin bool, p []byte) error {
	c := w.c
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if p != nil {
		if w.n != 0 {
			panic("websocket: unbuffered fragment with bytes buffered")
		}
		err := c.writeFrameLocked(w.op, fin, p, false)
		w.op = OpContinuation
		return err
	}
	if c.writeErr != nil {
		return c.writeErr
	}
	if c.closeSent {
		return ErrCloseSent
	}
	var hbuf [maxHeader]byte
	hdr := AppendHeader(hbuf[:0], Header{Fin: fin, Opcode: w.op, Length: int64(w.n)})
	start := maxHeader - len(hdr)
	copy(c.wbuf[start:], hdr)
	_, err := c.nc.Write(c.wbuf[start : maxHeader+w.n])
	w.n = 0
	w.op = OpContinuation
	if err != nil {
		c.writeErr = err
	}
	return err
}

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
