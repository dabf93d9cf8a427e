package feed

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/groundup-go/groundup/app/models"
)

// Postgres is the Broker of several app instances on one PostgreSQL
// database. models.Entries.Create announces each new entry's id with
// pg_notify in the transaction that inserts it, so the announcement goes
// out when, and only when, the entry is committed. Each instance holds one
// connection that LISTENs on models.NotifyChannel; for each id it hears,
// it reads the entries it has not sent yet (Entries.Since) and hands them
// to its own subscribers through an InProcess broker.
//
// When the listening connection drops, or fails a ping after a quiet
// spell, the instance reconnects with
// back-off (from 100 ms, doubling, at most 5 s), listens again, and only
// then reads what was committed since the last entry it sent, so an
// entry committed while it was away still reaches its subscribers, late.
type Postgres struct {
	local *InProcess
	url   string
	store *models.Entries
	log   *slog.Logger

	cancel context.CancelFunc
	done   chan struct{}

	mu        sync.Mutex
	last      int64 // the highest id sent to subscribers
	connected bool
	connects  int // successful LISTENs so far, for tests and logs
}

var _ Broker = (*Postgres)(nil)

// Back-off between attempts to listen again.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 5 * time.Second
)

// ListenerName is the application_name of each instance's listening
// connection, as pg_stat_activity shows it.
const ListenerName = "groundup-feed"

// quietCheck is how long the listener waits for a notification before it
// pings the server: a connection that died without a word (a dropped
// network path, a server that lost its host) is found out then, and not
// only when the next entry fails to arrive.
var quietCheck = 30 * time.Second

// catchUpBatch bounds one read of missed entries; a longer gap is read
// in several.
const catchUpBatch = 100

// NewPostgres starts listening on the PostgreSQL database at url, whose
// entries store is store. Entries committed before it starts are not
// sent. It returns at once; the listening goroutine runs until Close.
func NewPostgres(ctx context.Context, url string, store *models.Entries, log *slog.Logger) (*Postgres, error) {
	last, err := store.LatestID(ctx)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	p := &Postgres{local: NewInProcess(), url: url, store: store, log: log, last: last, cancel: cancel, done: make(chan struct{})}
	go p.run(ctx)
	return p, nil
}

// Subscribe returns a channel of new entries, from every instance, and a
// function that ends the subscription.
func (p *Postgres) Subscribe() (entries <-chan models.Entry, cancel func()) {
	return p.local.Subscribe()
}

// Publish does nothing: the entry was announced by its own transaction,
// and comes back to this instance's subscribers, as to every other
// instance's, through the listening connection.
func (p *Postgres) Publish(models.Entry) (missed int) { return 0 }

// Close stops listening and ends every subscription.
func (p *Postgres) Close() {
	p.cancel()
	<-p.done
	p.local.Close()
}

// Connects returns how many times the broker has started listening, and
// whether it is listening now.
func (p *Postgres) Connects() (n int, listening bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.connects, p.connected
}

// run listens until ctx ends, reconnecting with back-off.
func (p *Postgres) run(ctx context.Context) {
	defer close(p.done)
	backoff := minBackoff
	for ctx.Err() == nil {
		err := p.listen(ctx, func() { backoff = minBackoff })
		if ctx.Err() != nil {
			return
		}
		p.log.Warn("live feed: listening connection lost; reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// listen connects, LISTENs, catches up, then sends what it hears until
// the connection fails or ctx ends. listening is called once LISTEN is in
// place.
func (p *Postgres) listen(ctx context.Context, listening func()) error {
	cfg, err := pgx.ParseConfig(p.url)
	if err != nil {
		return err
	}
	// Named, so that it shows as what it is in pg_stat_activity.
	cfg.RuntimeParams["application_name"] = ListenerName
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, err := pgx.ConnectConfig(cctx, cfg)
	cancel()
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+models.NotifyChannel); err != nil {
		return err
	}
	p.mu.Lock()
	p.connected = true
	p.connects++
	n := p.connects
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.connected = false
		p.mu.Unlock()
	}()
	listening()
	if n > 1 {
		p.log.Info("live feed: listening again", "connects", n)
	}
	// Whatever committed while no one listened: LISTEN is in place, so
	// anything later is heard too.
	if err := p.catchUp(ctx); err != nil {
		return err
	}
	for {
		wctx, cancel := context.WithTimeout(ctx, quietCheck)
		note, err := conn.WaitForNotification(wctx)
		cancel()
		if err != nil && ctx.Err() == nil && wctx.Err() != nil {
			// Quiet for a while: is the connection still there?
			pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err = conn.Ping(pctx)
			cancel()
			if err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		id, err := strconv.ParseInt(note.Payload, 10, 64)
		if err != nil {
			p.log.Warn("live feed: a notification that is not an entry id", "payload", note.Payload)
			continue
		}
		p.mu.Lock()
		seen := id <= p.last
		p.mu.Unlock()
		if seen {
			continue // a catch-up already sent it
		}
		if err := p.catchUp(ctx); err != nil {
			return err
		}
	}
}

// catchUp sends every committed entry above the last one sent, in id
// order. An entry whose id is below one already sent (its transaction
// committed after a later one's) is not sent: live streams, like this
// broker, only go forward.
func (p *Postgres) catchUp(ctx context.Context) error {
	for {
		p.mu.Lock()
		last := p.last
		p.mu.Unlock()
		qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		entries, err := p.store.Since(qctx, last, catchUpBatch)
		cancel()
		if err != nil {
			return err
		}
		for _, e := range entries {
			if missed := p.local.Publish(e); missed > 0 {
				p.log.Warn("live feed: slow subscribers missed an entry", "id", e.ID, "missed", missed)
			}
		}
		if len(entries) == 0 {
			return nil
		}
		p.mu.Lock()
		p.last = entries[len(entries)-1].ID
		p.mu.Unlock()
		if len(entries) < catchUpBatch {
			return nil
		}
	}
}
