package feed

import (
	"sync"

	"github.com/groundup-go/groundup/app/models"
)

// InProcess is the Broker of a single process: with several app
// instances, each has its own, which is why the app uses Postgres
// instead when its database is PostgreSQL.
type InProcess struct {
	mu     sync.Mutex
	subs   map[chan models.Entry]struct{}
	closed bool
}

var _ Broker = (*InProcess)(nil)

// buffer is how many entries a slow subscriber may lag behind before
// it misses some. A browser that misses one catches up on reload.
const buffer = 16

// NewInProcess returns a broker with no subscribers.
func NewInProcess() *InProcess {
	return &InProcess{subs: map[chan models.Entry]struct{}{}}
}

// Subscribe returns a channel of new entries and a function that ends
// the subscription. The channel is closed when the feed closes, or by
// cancel.
func (f *InProcess) Subscribe() (entries <-chan models.Entry, cancel func()) {
	ch := make(chan models.Entry, buffer)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		close(ch)
		return ch, func() {}
	}
	f.subs[ch] = struct{}{}
	return ch, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if _, ok := f.subs[ch]; ok {
			delete(f.subs, ch)
			close(ch)
		}
	}
}

// Publish sends e to every subscriber without waiting: a subscriber whose
// buffer is full misses e rather than slowing down the request that
// created it. It reports how many subscribers missed it.
func (f *InProcess) Publish(e models.Entry) (missed int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for ch := range f.subs {
		select {
		case ch <- e:
		default:
			missed++
		}
	}
	return missed
}

// Subscribers returns the number of open subscriptions.
func (f *InProcess) Subscribers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs)
}

// Close ends every subscription, so that live streams finish and a
// graceful shutdown need not wait for them; later subscriptions end at
// once. Closing twice is harmless.
func (f *InProcess) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	f.closed = true
	for ch := range f.subs {
		delete(f.subs, ch)
		close(ch)
	}
}
