package websocket

import (
	"errors"
	"io"
	"net"
	"time"
)

// Writing: whole messages or streamed ones, one message writer at a
// time, control frames between the fragments of a message.

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
