package echo_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/groundup-go/groundup/docs/course/01-echo/echo"
	"github.com/groundup-go/groundup/docs/course/01-echo/groundup"
	"github.com/groundup-go/groundup/docs/course/internal/mode"
	"github.com/groundup-go/groundup/docs/course/internal/teach"
)

// The steps run in source order; `go run ./docs/course` reports the first
// that fails.

func impl() (serve func(net.Listener) error, ask func(addr, msg string) (string, error)) {
	if mode.Reader() {
		return echo.Serve, echo.Ask
	}
	return groundup.Serve, groundup.Ask
}

const chapter = "docs/01-sockets.md"

// patience bounds every wait in this suite, so that a server that never
// answers fails the test instead of hanging it. It is not a speed check.
const patience = 5 * time.Second

// start runs Serve on a fresh loopback listener and returns its address.
// When Serve returns early (as the skeleton's does), the listener closes,
// so that clients fail at once instead of waiting.
func start(t *testing.T) string {
	t.Helper()
	serve, _ := impl()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		err := serve(ln)
		ln.Close()
		done <- err
	}()
	t.Cleanup(func() {
		ln.Close()
		select {
		case <-done:
		case <-time.After(patience):
			t.Error("Serve did not return within 5 s of its listener closing; it must return the error Accept gives it")
		}
	})
	return ln.Addr().String()
}

// exchange dials addr, writes each part in its own Write, and reads until
// the server closes the connection.
func exchange(t *testing.T, addr string, parts ...string) (string, error) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, patience)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(patience))
	for _, p := range parts {
		if _, err := io.WriteString(c, p); err != nil {
			return "", err
		}
	}
	b, err := io.ReadAll(c)
	return string(b), err
}

func TestStep1_Answer(t *testing.T) {
	addr := start(t)
	got, err := exchange(t, addr, "can you hear me?\n")
	if got != "Yes\n" || err != nil {
		teach.Fatal(t, teach.Lesson{
			Sent: teach.Q("can you hear me?\n") + " on a new TCP connection",
			Got:  teach.Q(got) + errText(err),
			Want: teach.Q("Yes\n") + ", then the server closes the connection",
			Rule: "our protocol: a message is one line ended by '\\n'; the server answers one line and hangs up",
			Read: chapter + "#the-server",
		})
	}
}

func TestStep2_Ask(t *testing.T) {
	_, ask := impl()
	// A server written here, so that this step tests Ask alone.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	heard := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			heard <- "(no connection)"
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(patience))
		line, _ := bufio.NewReader(c).ReadString('\n')
		heard <- line
		io.WriteString(c, "Yes\n")
	}()
	got, err := ask(ln.Addr().String(), "can you hear me?")
	if got != "Yes" || err != nil {
		teach.Fatal(t, teach.Lesson{
			Sent: `Ask(addr, "can you hear me?") to a server that answers "Yes\n"`,
			Got:  teach.Q(got) + errText(err),
			Want: `"Yes" (the line without its '\n') and a nil error`,
			Rule: "Ask dials, writes msg+\"\\n\", reads one line and trims the '\\n'",
			Read: chapter + "#the-client",
		})
	}
	if line := <-heard; line != "can you hear me?\n" {
		teach.Error(t, teach.Lesson{
			Got:  "the server heard " + teach.Q(line),
			Want: teach.Q("can you hear me?\n"),
			Rule: "the message ends at '\\n': without it the server waits for the rest of the line",
			Read: chapter + "#the-client",
		})
	}
}

func TestStep3_SplitLine(t *testing.T) {
	addr := start(t)
	got, err := exchange(t, addr, "can you", " hear", " me?\n")
	if got != "Yes\n" {
		teach.Fatal(t, teach.Lesson{
			Sent: `"can you", " hear", " me?\n" in three separate writes`,
			Got:  teach.Q(got) + errText(err),
			Want: teach.Q("Yes\n"),
			Rule: "TCP delivers a stream of bytes, not messages: one Read may return part of a line, or more than one. Read until '\\n' (bufio.Reader.ReadString does)",
			Read: chapter + "#what-tcp-gives-you",
		})
	}
}

func TestStep4_ManyClients(t *testing.T) {
	addr := start(t)
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for range n {
		wg.Go(func() {
			got, err := exchange(t, addr, "can you hear me?\n")
			if got != "Yes\n" {
				errs <- teach.Q(got) + errText(err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		teach.Fatal(t, teach.Lesson{
			Sent: "20 clients at once, each asking once",
			Got:  "one of them got " + e,
			Want: teach.Q("Yes\n") + " for every client",
			Rule: "the kernel queues connections until Accept takes them; keep accepting in a loop",
			Read: chapter + "#the-server",
		})
	}
}

func TestStep5_SilentClient(t *testing.T) {
	addr := start(t)
	silent, err := net.Dial("tcp", addr)
	if err == nil {
		defer silent.Close() // connects, says nothing, until the test ends
	}
	got, err := exchange(t, addr, "can you hear me?\n")
	if got != "Yes\n" {
		teach.Fatal(t, teach.Lesson{
			Sent: "one client that connects and says nothing, then a second that asks",
			Got:  "the second got " + teach.Q(got) + errText(err),
			Want: teach.Q("Yes\n") + " for the second client while the first is still silent",
			Rule: "serve each connection in its own goroutine (go handle(conn)); a Read that blocks then blocks only that goroutine",
			Read: chapter + "#why-one-goroutine-per-connection-is-fine",
		})
	}
}

func TestStep6_LineTooLong(t *testing.T) {
	addr := start(t)
	long := strings.Repeat("a", 64<<10) // no '\n' at all
	got, err := exchange(t, addr, long)
	var ne net.Error
	after, aerr := exchange(t, addr, "can you hear me?\n")
	if errors.As(err, &ne) && ne.Timeout() || got == "Yes\n" || after != "Yes\n" {
		teach.Fatal(t, teach.Lesson{
			Sent: "64 KiB of 'a' with no '\\n'",
			Got:  teach.Q(got) + errText(err) + "; a normal question after it got " + teach.Q(after) + errText(aerr),
			Want: "the server gives up after MaxLine bytes (1024) and closes the connection, without an answer; the next client is answered as usual",
			Rule: "every read from a peer is bounded: wrap the conn in io.LimitReader(conn, MaxLine) before looking for '\\n'",
			Read: chapter + "#the-server",
		})
	}
}

func TestStep7_ServeStops(t *testing.T) {
	serve, _ := impl()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	var stopping atomic.Bool
	go func() {
		err := serve(ln)
		if !stopping.Load() {
			err = fmt.Errorf("(returned before ln.Close: %v)", err)
			ln.Close() // so that the client below fails at once
		}
		done <- err
	}()
	got, err := exchange(t, ln.Addr().String(), "can you hear me?\n")
	stopping.Store(true)
	ln.Close()
	var serr error
	select {
	case serr = <-done:
	case <-time.After(patience):
		serr = errors.New("(Serve still running 5 s after ln.Close)")
	}
	if got != "Yes\n" || !errors.Is(serr, net.ErrClosed) {
		teach.Fatal(t, teach.Lesson{
			Sent: "one question, then ln.Close()",
			Got:  "answer " + teach.Q(got) + errText(err) + "; Serve returned " + errText(serr),
			Want: `"Yes\n", then Serve returns the error from Accept, which wraps net.ErrClosed`,
			Rule: "closing the listener is how a server is told to stop: Accept fails, and the loop returns that error",
			Read: chapter + "#stopping-cleanly",
		})
	}
}

func TestStep8_AskNoServer(t *testing.T) {
	_, ask := impl()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nobody listens there now
	got, err := ask(addr, "can you hear me?")
	var op *net.OpError
	if !errors.As(err, &op) {
		teach.Fatal(t, teach.Lesson{
			Sent: "Ask to a port where nothing listens",
			Got:  teach.Q(got) + errText(err),
			Want: "the dial error itself (a *net.OpError, \"connection refused\"), returned or wrapped with %w",
			Rule: "the kernel refuses a connection to a closed port at once; Ask must pass the reason on",
			Read: chapter + "#the-client",
		})
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return " (error: " + err.Error() + ")"
}
