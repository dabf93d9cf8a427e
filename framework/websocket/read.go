package websocket

import "io"

// Reading: a whole message or a stream of one, with control frames
// answered between the fragments as they arrive.

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

// Read reads the message's payload; it returns io.EOF at its end.
func (m *messageReader) Read(p []byte) (int, error) {
	m.c.rmu.Lock()
	defer m.c.rmu.Unlock()
	return m.read(p)
}
