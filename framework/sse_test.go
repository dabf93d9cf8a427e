package framework_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

func TestEventStreamWireFormat(t *testing.T) {
	tests := []struct {
		name string
		send func(es *framework.EventStream) error
		want string
	}{
		{"data only", func(es *framework.EventStream) error {
			return es.Send(framework.Event{Data: "hello"})
		}, "data: hello\n\n"},
		{"every field", func(es *framework.EventStream) error {
			return es.Send(framework.Event{ID: "7", Event: "price", Data: "42", Retry: 3 * time.Second})
		}, "id: 7\nevent: price\nretry: 3000\ndata: 42\n\n"},
		{"multi-line data, every line ending", func(es *framework.EventStream) error {
			return es.Send(framework.Event{Data: "a\nb\r\nc\rd"})
		}, "data: a\ndata: b\ndata: c\ndata: d\n\n"},
		{"trailing newline kept", func(es *framework.EventStream) error {
			return es.Send(framework.Event{Data: "a\n"})
		}, "data: a\ndata: \n\n"},
		{"empty lines kept", func(es *framework.EventStream) error {
			return es.Send(framework.Event{Data: "\n\nx"})
		}, "data: \ndata: \ndata: x\n\n"},
		{"id only", func(es *framework.EventStream) error {
			return es.Send(framework.Event{ID: "99"})
		}, "id: 99\n\n"},
		{"sub-millisecond retry rounds up", func(es *framework.EventStream) error {
			return es.Send(framework.Event{Retry: time.Microsecond, Data: "r"})
		}, "retry: 1\ndata: r\n\n"},
		{"comment", func(es *framework.EventStream) error {
			return es.Comment("ping")
		}, ": ping\n\n"},
		{"multi-line comment", func(es *framework.EventStream) error {
			return es.Comment("a\nb")
		}, ": a\n: b\n\n"},
		{"in order", func(es *framework.EventStream) error {
			for i := range 3 {
				if err := es.Send(framework.Event{ID: fmt.Sprint(i), Data: fmt.Sprint("n", i)}); err != nil {
					return err
				}
			}
			return nil
		}, "id: 0\ndata: n0\n\nid: 1\ndata: n1\n\nid: 2\ndata: n2\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sendErr error
			h := func(c *framework.Ctx) error {
				es, err := c.EventStream()
				if err != nil {
					return err
				}
				sendErr = tt.send(es)
				return nil
			}
			res := frameworktest.Test(h, frameworktest.NewRequest("GET", "/events"))
			if sendErr != nil {
				t.Fatal(sendErr)
			}
			if res.Status != 200 || string(res.Body) != tt.want {
				t.Fatalf("status %d, body\n%q\nwant\n%q", res.Status, res.Body, tt.want)
			}
			for name, want := range map[string]string{
				"Content-Type":      "text/event-stream",
				"Cache-Control":     "no-cache",
				"X-Accel-Buffering": "no",
				"Transfer-Encoding": "chunked",
			} {
				if got := res.Get(name); got != want {
					t.Errorf("%s: %q, want %q", name, got, want)
				}
			}
		})
	}
}

func TestEventStreamRefusesBadEvents(t *testing.T) {
	tests := []struct {
		name string
		e    framework.Event
	}{
		{"LF in ID", framework.Event{ID: "a\nb", Data: "x"}},
		{"CR in ID", framework.Event{ID: "a\rb", Data: "x"}},
		{"NUL in ID", framework.Event{ID: "a\x00b", Data: "x"}},
		{"LF in name", framework.Event{Event: "a\nb", Data: "x"}},
		{"CR in name", framework.Event{Event: "a\r", Data: "x"}},
		{"empty event", framework.Event{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sendErr error
			h := func(c *framework.Ctx) error {
				es, err := c.EventStream()
				if err != nil {
					return err
				}
				sendErr = es.Send(tt.e)
				return es.Send(framework.Event{Data: "after"})
			}
			res := frameworktest.Test(h, frameworktest.NewRequest("GET", "/events"))
			if sendErr == nil {
				t.Fatal("Send accepted the event")
			}
			// Nothing of the refused event reached the wire.
			if string(res.Body) != "data: after\n\n" {
				t.Errorf("body %q", res.Body)
			}
		})
	}
}

func TestEventStreamAfterCommit(t *testing.T) {
	var err error
	h := func(c *framework.Ctx) error {
		c.WriteString("x")
		c.Flush()
		_, err = c.EventStream()
		return nil
	}
	frameworktest.Test(h, frameworktest.NewRequest("GET", "/"))
	if err == nil {
		t.Fatal("EventStream after the head was sent: no error")
	}
}

// TestEventStreamOverTCP reads events with a real client as they are
// sent, then goes away; the handler must see Done and return.
func TestEventStreamOverTCP(t *testing.T) {
	next := make(chan framework.Event)
	returned := make(chan error, 1)
	app := framework.New()
	app.GET("/events", func(c *framework.Ctx) error {
		es, err := c.EventStream()
		if err != nil {
			return err
		}
		defer close(returned)
		for {
			select {
			case <-es.Done():
				return nil
			case e := <-next:
				if err := es.Send(e); err != nil {
					returned <- err
					return nil
				}
			}
		}
	})
	s := stStart(t, app.Serve)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", s.URL("/events"), nil)
	res, err := stClient(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("Content-Type %q", res.Header.Get("Content-Type"))
	}
	br := bufio.NewReader(res.Body)
	for i := range 3 {
		// Each event must arrive before the next is even produced:
		// the stream is flushed per event.
		next <- framework.Event{ID: fmt.Sprint(i), Event: "tick", Data: fmt.Sprintf("n=%d\nsecond line", i)}
		var got strings.Builder
		for {
			line := stReadLine(t, br)
			got.WriteString(line)
			if line == "\n" {
				break
			}
		}
		want := fmt.Sprintf("id: %d\nevent: tick\ndata: n=%d\ndata: second line\n\n", i, i)
		if got.String() != want {
			t.Fatalf("event %d:\n%q\nwant\n%q", i, got.String(), want)
		}
	}
	cancel() // the client goes away
	stWait(t, returned, 5*time.Second, "the handler to see Done and return")
}

// TestEventStreamDoneOnServerClose: closing the server ends the stream.
func TestEventStreamDoneOnServerClose(t *testing.T) {
	started := make(chan struct{})
	returned := make(chan struct{})
	app := framework.New()
	app.GET("/events", func(c *framework.Ctx) error {
		es, err := c.EventStream()
		if err != nil {
			return err
		}
		close(started)
		defer close(returned)
		ping := time.NewTicker(10 * time.Millisecond)
		defer ping.Stop()
		for {
			select {
			case <-es.Done():
				return nil
			case <-ping.C:
				es.Comment("ping")
			}
		}
	})
	s := stStart(t, app.Serve)
	nc, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	io.WriteString(nc, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
	stWait(t, started, 5*time.Second, "the stream to start")
	br := bufio.NewReader(nc)
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	for !strings.Contains(stReadLine(t, br), ": ping") {
	}
	go s.srv.Close()
	stWait(t, returned, 5*time.Second, "the handler to return after Close")
}

func ExampleCtx_EventStream() {
	h := func(c *framework.Ctx) error {
		es, err := c.EventStream()
		if err != nil {
			return err
		}
		es.Comment("stream open")
		es.Send(framework.Event{ID: "1", Event: "greeting", Data: "hello\nworld"})
		return es.Send(framework.Event{ID: "2", Data: "bye"})
	}
	res := frameworktest.Test(h, frameworktest.NewRequest("GET", "/events"))
	fmt.Println(res.Get("Content-Type"))
	fmt.Print(string(res.Body))
	// Output:
	// text/event-stream
	// : stream open
	//
	// id: 1
	// event: greeting
	// data: hello
	// data: world
	//
	// id: 2
	// data: bye
}
