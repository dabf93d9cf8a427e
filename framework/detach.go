package framework

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
)

// Running a handler in a goroutine of its own, for a deadline
// (middleware.Timeout). The trap is the one echo#1761 and echo#2754
// describe: the deadline answers, the connection moves on and reuses its
// Ctx, and the late handler writes into the next request's response.
//
// So the handler never gets the connection's Ctx. It runs on a detached
// copy: the same request (the head's strings are immutable; its field
// list, parameters and values are copied), a context of the caller's
// choosing, and a response of its own, held in memory until it returns.
// The copy shares nothing with the connection but the request body,
// which it reads through a lock that the deadline takes too. When the
// handler returns in time, its response moves into the connection's Ctx
// on the connection's goroutine. When the deadline comes first, the copy
// is abandoned: its body reads and writes fail with ErrHandlerTimeout, it
// is never pooled, and the garbage collector takes it once the handler
// returns. The connection's Ctx goes on as if the handler had not run.

// ErrHandlerTimeout is what reads and writes of an abandoned detached
// handler return (see RunDetached), and the cause of its context.
var ErrHandlerTimeout = errors.New("groundup: the handler ran past its deadline; its response was dropped")

// ErrDetachedFlush is what Flush returns in a detached handler: its
// response is held until it returns, so it cannot stream.
var ErrDetachedFlush = errors.New("groundup: a detached handler (under a timeout) cannot stream; its response is sent when it returns")

// MaxDetachedBody bounds the body a detached handler may write; it is
// held in memory until the handler returns.
const MaxDetachedBody = 8 << 20

// errLate tells RunDetached that its handler returned after ctx ended.
var errLate = errors.New("groundup: returned after the deadline")

var errHijackDetached = errors.New("groundup: a detached handler (under a timeout) cannot hijack the connection")

var errDetachedTooLarge = errors.New("groundup: a detached handler's body is over MaxDetachedBody")

const (
	detRunning int32 = iota
	detFinished
	detAbandoned
)

// detached is the state a detached Ctx shares with the Ctx it came from.
type detached struct {
	mu     sync.Mutex // held across each read of the parent's body, and to change state
	state  atomic.Int32
	parent *Ctx // reached only under mu while running
	remote string
	logger *slog.Logger
}

// Read reads the parent's request body while the handler is still
// wanted.
func (d *detached) Read(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.state.Load() != detRunning {
		return 0, ErrHandlerTimeout
	}
	return d.parent.Body().Read(p)
}

// RunDetached runs h in a new goroutine on a detached copy of the
// request whose context is ctx (derive it from c.Context()), and waits
// until h returns or ctx is done.
//
// If h returns while ctx is still alive, its response (status, header
// fields, body, hooks registered with BeforeCommit) and the values it
// stored with Set move into c, and RunDetached returns true and h's
// error. If ctx ends first (or h returns only after it ended), the copy
// is abandoned and RunDetached returns false at once: c is as it was
// before, free to answer and to be reused, while every later body
// read or response write of h fails with ErrHandlerTimeout. A panic in h
// comes back as a 500 error with a PanicError, or is logged if h was
// abandoned.
//
// The detached response is held in memory until h returns: Flush fails
// with ErrDetachedFlush, Hijack fails, and the body is bounded by
// MaxDetachedBody. Reading the request body holds the deadline back
// until the read returns (the server's ReadTimeout bounds it).
func (c *Ctx) RunDetached(ctx context.Context, h Handler) (finished bool, err error) {
	d := &detached{parent: c, remote: c.RemoteAddr(), logger: c.Logger()}
	k := c.detachedCopy(d, ctx)
	ownForm := !c.form.parsed // else the form, and its files, are c's
	done := make(chan error, 1)
	go func() {
		var err error
		defer func() {
			if v := recover(); v != nil {
				if v == ErrAbortHandler {
					err = &HTTPError{Code: StatusInternalServerError, Err: ErrAbortHandler, Layer: k.layer}
				} else {
					err = &HTTPError{Code: StatusInternalServerError, Err: PanicError{Value: v, Stack: debug.Stack()}, Layer: k.layer}
				}
			}
			// Returning after ctx ended is too late as well: the response
			// was not done when the deadline passed.
			d.mu.Lock()
			late := d.state.Load() == detAbandoned
			if !late && ctx.Err() != nil {
				d.state.Store(detAbandoned)
				d.mu.Unlock()
				if ownForm {
					k.form.cleanup()
				}
				done <- errLate
				return
			}
			if !late {
				d.state.Store(detFinished)
			}
			d.mu.Unlock()
			if late {
				d.logger.Warn("handler returned after its deadline; its response was dropped",
					"method", k.method, "path", k.path, "err", err)
				if ownForm {
					k.form.cleanup()
				}
				return
			}
			done <- err
		}()
		err = h(k)
	}()
	select {
	case err = <-done:
		if err == errLate {
			return false, nil
		}
	case <-ctx.Done():
		d.mu.Lock()
		if d.state.Load() == detRunning {
			d.state.Store(detAbandoned)
			d.mu.Unlock()
			return false, nil
		}
		d.mu.Unlock()
		if err = <-done; err == errLate { // it finished as the deadline came
			return false, nil
		}
	}
	c.adopt(k)
	return true, err
}

// detachedCopy makes the Ctx a detached handler runs on.
func (c *Ctx) detachedCopy(d *detached, ctx context.Context) *Ctx {
	k := &Ctx{
		det:    d,
		app:    c.app,
		route:  c.route,
		method: c.method,
		path:   c.path,
		badEsc: c.badEsc,
		params: slices.Clone(c.params),
		layer:  c.layer,
	}
	c.valuesMu.Lock()
	k.values = slices.Clone(c.values)
	c.valuesMu.Unlock()
	k.head = c.head
	k.head.Fields = slices.Clone(c.head.Fields) // the connection reuses the list
	if c.form.parsed {
		k.form = c.form // read-only from here on; c removes its files
	}
	k.rw.c = k
	k.res.path = c.path
	k.res.head = c.res.head
	k.res.minor = c.res.minor
	k.res.declared = -1
	k.res.status = c.res.status
	for _, f := range c.res.header.Fields() {
		k.res.header.Add(f.Name, f.Value)
	}
	k.res.body = append([]byte(nil), c.res.body...)
	k.res.size = int64(len(k.res.body))
	k.watched = newRequestContext(ctx, k)
	return k
}

// adopt moves a finished detached handler's response and values into c.
func (c *Ctx) adopt(k *Ctx) {
	c.valuesMu.Lock()
	c.values = append(c.values[:0], k.values...)
	c.valuesMu.Unlock()
	c.layer = k.layer
	if k.form.parsed && !c.form.parsed {
		c.form = k.form // c removes its files when the request ends
	}
	c.res.beforeCommit = append(c.res.beforeCommit, k.res.beforeCommit...)
	k.watched.c.Store(nil) // FromContext on the copy's context finds no Ctx now
	if c.res.committed {
		return
	}
	c.res.header.reset()
	for _, f := range k.res.header.Fields() {
		c.res.header.Add(f.Name, f.Value)
	}
	if k.res.header.bad != "" {
		c.res.header.bad = k.res.header.bad // a refused field still makes it a 500
	}
	c.res.discardBody()
	c.res.status = 0
	if k.res.status != 0 {
		c.Status(k.res.status)
	}
	if len(k.res.body) > 0 {
		c.Write(k.res.body)
	}
}

// detachedWrite is Write for a detached Ctx: into its own buffer, until
// it is abandoned.
func (c *Ctx) detachedWrite(p []byte) (int, error) {
	switch {
	case c.det.state.Load() == detAbandoned:
		return 0, ErrHandlerTimeout
	case !bodyAllowed(c.res.statusCode()):
		return 0, ErrBodyNotAllowed
	case len(c.res.body)+len(p) > MaxDetachedBody:
		return 0, errDetachedTooLarge
	}
	c.res.body = append(c.res.body, p...)
	c.res.size += int64(len(p))
	return len(p), nil
}

// bodyReader is the request body for Body: the connection's, or through
// the lock of a detached Ctx.
func (c *Ctx) bodyReader() io.Reader {
	if c.det != nil {
		return c.det
	}
	return &c.body
}
