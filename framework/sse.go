package framework

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Server-sent events: a response that stays open and carries a stream of
// events in the text/event-stream format, which browsers read with
// EventSource. On the wire each event is a few "field: value" lines and a
// blank line:
//
//	id: 42
//	event: price
//	retry: 3000
//	data: first line
//	data: second line
//
// The response is streamed (chunked for HTTP/1.1), and every Send is
// flushed at once, so events reach the client as they happen.

// Event is one server-sent event. Every field is optional, but an event
// with no Data only sets the client's last event ID or retry delay: the
// browser dispatches nothing for it.
type Event struct {
	// ID becomes the client's last event ID, which it sends back in
	// Last-Event-ID when it reconnects. It must not hold CR, LF or NUL.
	ID string
	// Event is the event type, the name EventSource.addEventListener
	// listens for; "message" when empty. It must not hold CR or LF.
	Event string
	// Data is the payload. Each of its lines is sent as a data: line, and
	// the client joins them again with "\n".
	Data string
	// Retry, when positive, tells the client how long to wait before
	// reconnecting, in whole milliseconds.
	Retry time.Duration
}

// EventStream is an open text/event-stream response; Ctx.EventStream
// starts one. It is not safe for concurrent use: send from the handler's
// goroutine.
//
// The stream keeps itself alive and bounded (see Server.StreamHeartbeat,
// MaxStreamDuration and MaxStreams): when nothing was sent for the
// heartbeat interval it sends a comment line from a timer, and a write
// that fails or times out, or the end of the stream's time, closes Done.
// Once the stream is open, the handler writes only through it.
type EventStream struct {
	c      *Ctx
	buf    []byte
	mu     sync.Mutex // one write at a time: the handler's or the heartbeat's
	err    error      // sticky: the first failed write, or the end of the stream's time
	ended  bool       // the handler returned
	every  time.Duration
	beat   *time.Timer
	expiry *time.Timer
	cancel context.CancelFunc // cancels the request's context: closes Done
}

// Errors of EventStream.
var (
	errSSEField     = errors.New("groundup: event ID and name must not contain CR, LF or NUL")
	errSSEEmpty     = errors.New("groundup: empty event")
	errSSECommitted = errors.New("groundup: EventStream after the response has started")
	errSSEExpired   = errors.New("groundup: event stream reached Server.MaxStreamDuration")
	errSSEEnded     = errors.New("groundup: event stream used after its handler returned")
)

// errTooManyStreams refuses a stream beyond Server.MaxStreams.
var errTooManyStreams = &HTTPError{Code: StatusServiceUnavailable, Message: "too many open streams; retry later"}

// EventStream turns the response into a stream of server-sent events. It
// sets Content-Type: text/event-stream, Cache-Control: no-cache and
// X-Accel-Buffering: no (which stops nginx from buffering the stream),
// then sends the head at once so the client knows the stream is open.
// The handler then sends events until Done is closed, and returns.
//
// The stream sends a comment line by itself when nothing was sent for
// Server.StreamHeartbeat, which keeps proxies from cutting it and finds a
// peer that went away; it ends at Server.MaxStreamDuration. The handler
// waits for Done:
//
//	func (h *Prices) Stream(c *framework.Ctx) error {
//		es, err := c.EventStream()
//		if err != nil {
//			return err
//		}
//		for {
//			select {
//			case <-es.Done():
//				return nil // the client left, the stream expired, or the server is closing
//			case p := <-h.updates:
//				if err := es.Send(framework.Event{Event: "price", Data: p.String()}); err != nil {
//					return nil
//				}
//			}
//		}
//	}
//
// EventStream fails with a 503 *HTTPError when Server.MaxStreams streams
// are open.
//
// A Send error means the client is gone; the handler should return, and
// there is no one left to answer, so it may return nil.
func (c *Ctx) EventStream() (*EventStream, error) {
	if c.Committed() {
		return nil, errSSECommitted
	}
	srv := c.conn.srv
	if !srv.openStream() {
		return nil, errTooManyStreams
	}
	h := c.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	c.Status(StatusOK)
	// Asking for the context now starts the watch that notices a client
	// that goes away, which is what closes Done.
	c.Context()
	s := &EventStream{c: c, cancel: c.cancel, every: orDefault(srv.StreamHeartbeat, DefaultStreamHeartbeat)}
	c.conn.stream = s // stopped when the handler returns
	if err := c.Flush(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.every > 0 {
		s.beat = time.AfterFunc(s.every, s.heartbeat)
	}
	if d := orDefault(srv.MaxStreamDuration, DefaultMaxStreamDuration); d > 0 {
		s.expiry = time.AfterFunc(d, s.expire)
	}
	return s, nil
}

// heartbeat runs on a timer when nothing was sent for the interval.
func (s *EventStream) heartbeat() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended || s.err != nil {
		return
	}
	if s.writeLocked(heartbeatLine) == nil {
		s.beat.Reset(s.every)
	}
}

var heartbeatLine = []byte(":\n\n")

// expire ends the stream at MaxStreamDuration.
func (s *EventStream) expire() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = errSSEExpired
	}
	s.cancel()
}

// stop ends the timers when the handler returns; a heartbeat in progress
// finishes first.
func (s *EventStream) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ended = true
	if s.beat != nil {
		s.beat.Stop()
	}
	if s.expiry != nil {
		s.expiry.Stop()
	}
	s.c.conn.srv.closeStream()
}

// Send writes e and flushes it to the client. It refuses an ID or event
// name holding CR, LF or NUL, which would break the stream's framing, and
// an event with no field at all.
func (s *EventStream) Send(e Event) error {
	if strings.ContainsAny(e.ID, "\r\n\x00") || strings.ContainsAny(e.Event, "\r\n\x00") {
		return errSSEField
	}
	if e.ID == "" && e.Event == "" && e.Data == "" && e.Retry <= 0 {
		return errSSEEmpty
	}
	b := s.buf[:0]
	if e.ID != "" {
		b = append(b, "id: "...)
		b = append(b, e.ID...)
		b = append(b, '\n')
	}
	if e.Event != "" {
		b = append(b, "event: "...)
		b = append(b, e.Event...)
		b = append(b, '\n')
	}
	if e.Retry > 0 {
		b = append(b, "retry: "...)
		b = strconv.AppendInt(b, max(e.Retry.Milliseconds(), 1), 10)
		b = append(b, '\n')
	}
	if e.Data != "" {
		b = appendSSELines(b, "data: ", e.Data)
	}
	b = append(b, '\n')
	return s.write(b)
}

// Comment sends a comment line, which clients ignore: use it as a
// keep-alive ping. Each line of text becomes its own comment line.
func (s *EventStream) Comment(text string) error {
	s.mu.Lock()
	b := appendSSELines(s.buf[:0], ": ", text)
	s.mu.Unlock()
	return s.write(append(b, '\n'))
}

// Done is closed when the client goes away, or when the server is closed
// or gives up waiting in Shutdown. It is the request context's Done.
func (s *EventStream) Done() <-chan struct{} { return s.c.Context().Done() }

// write sends b, which was built in s.buf, and moves the heartbeat on.
func (s *EventStream) write(b []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf = b
	if s.beat != nil && s.err == nil {
		s.beat.Reset(s.every)
	}
	return s.writeLocked(b)
}

func (s *EventStream) writeLocked(b []byte) error {
	switch {
	case s.err != nil:
		return s.err
	case s.ended:
		return errSSEEnded
	}
	_, err := s.c.Write(b)
	if err == nil {
		err = s.c.Flush()
	}
	if err != nil {
		// The peer is gone or stopped reading: Done tells the handler.
		s.err = err
		s.cancel()
	}
	return err
}

// appendSSELines appends one prefix+line+"\n" per line of text. The
// format ends a line at CRLF, a lone CR or a lone LF, so all three split.
func appendSSELines(b []byte, prefix, text string) []byte {
	for {
		i := strings.IndexAny(text, "\r\n")
		b = append(b, prefix...)
		if i < 0 {
			b = append(b, text...)
			return append(b, '\n')
		}
		b = append(b, text[:i]...)
		b = append(b, '\n')
		if text[i] == '\r' && i+1 < len(text) && text[i+1] == '\n' {
			i++
		}
		text = text[i+1:]
	}
}
