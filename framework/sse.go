package framework

import (
	"errors"
	"strconv"
	"strings"
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
type EventStream struct {
	c   *Ctx
	buf []byte
}

// Errors of EventStream.
var (
	errSSEField     = errors.New("groundup: event ID and name must not contain CR, LF or NUL")
	errSSEEmpty     = errors.New("groundup: empty event")
	errSSECommitted = errors.New("groundup: EventStream after the response has started")
)

// EventStream turns the response into a stream of server-sent events. It
// sets Content-Type: text/event-stream, Cache-Control: no-cache and
// X-Accel-Buffering: no (which stops nginx from buffering the stream),
// then sends the head at once so the client knows the stream is open.
// The handler then sends events until Done is closed, and returns.
//
// A stream that sends nothing for long may be cut by a proxy; a comment
// every 15 to 30 seconds keeps it open:
//
//	func (h *Prices) Stream(c *framework.Ctx) error {
//		es, err := c.EventStream()
//		if err != nil {
//			return err
//		}
//		ping := time.NewTicker(20 * time.Second)
//		defer ping.Stop()
//		for {
//			select {
//			case <-es.Done():
//				return nil // the client left, or the server is closing
//			case <-ping.C:
//				if err := es.Comment("ping"); err != nil {
//					return nil
//				}
//			case p := <-h.updates:
//				if err := es.Send(framework.Event{Event: "price", Data: p.String()}); err != nil {
//					return nil
//				}
//			}
//		}
//	}
//
// A Send error means the client is gone; the handler should return, and
// there is no one left to answer, so it may return nil.
func (c *Ctx) EventStream() (*EventStream, error) {
	if c.Committed() {
		return nil, errSSECommitted
	}
	h := c.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	c.Status(StatusOK)
	// Asking for the context now starts the watch that notices a client
	// that goes away, which is what closes Done.
	c.Context()
	if err := c.Flush(); err != nil {
		return nil, err
	}
	return &EventStream{c: c}, nil
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
	s.buf = b
	return s.write(b)
}

// Comment sends a comment line, which clients ignore: use it as a
// keep-alive ping. Each line of text becomes its own comment line.
func (s *EventStream) Comment(text string) error {
	b := appendSSELines(s.buf[:0], ": ", text)
	b = append(b, '\n')
	s.buf = b
	return s.write(b)
}

// Done is closed when the client goes away, or when the server is closed
// or gives up waiting in Shutdown. It is the request context's Done.
func (s *EventStream) Done() <-chan struct{} { return s.c.Context().Done() }

func (s *EventStream) write(b []byte) error {
	if _, err := s.c.Write(b); err != nil {
		return err
	}
	return s.c.Flush()
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
