package controllers

import (
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"github.com/groundup-go/groundup/app/models"
	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/websocket"
)

// Sockets serves the app's WebSocket endpoints: an echo the docs use,
// and the guestbook's live feed with a count of who is here. The same
// page falls back to the server-sent events of Entries.Live when a
// WebSocket cannot be opened.
type Sockets struct {
	Entries *Entries

	mu   sync.Mutex
	here map[chan int]struct{} // one per open live connection
}

// The limits of the app's sockets: the echo takes small messages, and
// the live feed only ever receives pings and close frames.
const (
	echoMaxMessage = 64 << 10
	liveMaxMessage = 1 << 10
	livePing       = 25 * time.Second
)

// Echo answers every message with itself, text as text and binary as
// binary, until the client closes.
func (s *Sockets) Echo(c *framework.Ctx) error {
	ws, err := websocket.Upgrade(c, websocket.Options{MaxMessageSize: echoMaxMessage})
	if err != nil {
		return err
	}
	for {
		op, msg, err := ws.ReadMessage()
		if err != nil {
			return nil // closed by the client, failed, or the server is going away
		}
		if err := ws.WriteMessage(op, msg); err != nil {
			return nil
		}
	}
}

// liveMessage is one message of the live socket: "entry" with the entry
// as the event stream sends it, or "presence" with the number of pages
// open on the feed.
type liveMessage struct {
	Type string `json:"type"`
	Here int    `json:"here,omitempty"`
	*liveEntry
}

// Live sends new entries as JSON text messages, like Entries.Live sends
// them as events, and the number of pages connected whenever it changes.
// ?since=ID first sends the entries after ID, for a page that reconnects.
func (s *Sockets) Live(c *framework.Ctx) error {
	since := int64(-1)
	if q := c.Query("since"); q != "" {
		id, err := strconv.ParseInt(q, 10, 64)
		if err != nil || id < 0 {
			return framework.NewError(framework.StatusBadRequest, "since must be an entry id")
		}
		since = id
	}
	// Subscribe before looking for missed entries, as Entries.Live does.
	entries, cancel := s.Entries.Feed.Subscribe()
	defer cancel()
	var missed []models.Entry
	if since >= 0 {
		ctx, cancelDB := dbContext(c)
		var err error
		missed, err = s.Entries.Store.Since(ctx, since, 100)
		cancelDB()
		if err != nil {
			return err
		}
	}
	ws, err := websocket.Upgrade(c, websocket.Options{MaxMessageSize: liveMaxMessage, PingInterval: livePing})
	if err != nil {
		return err
	}
	here := s.join()
	defer s.leave(here)
	// Reading answers pings and hears the close; the page sends nothing
	// else, and anything it sends is dropped.
	go func() {
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}()
	sent := max(since, 0)
	send := func(m liveMessage) error {
		data, err := json.Marshal(m)
		if err != nil {
			return err
		}
		return ws.WriteMessage(websocket.OpText, data)
	}
	sendEntry := func(e models.Entry) error {
		if e.ID <= sent {
			return nil
		}
		sent = e.ID
		le := s.Entries.live(c.Context(), e)
		return send(liveMessage{Type: "entry", liveEntry: &le})
	}
	for _, e := range missed {
		if sendEntry(e) != nil {
			return nil
		}
	}
	for {
		select {
		case <-ws.Done():
			return nil // the page left, or the server closed it with 1001
		case n := <-here:
			if send(liveMessage{Type: "presence", Here: n}) != nil {
				return nil
			}
		case e, ok := <-entries:
			if !ok {
				// The feed closed: the server is shutting down.
				_ = ws.Close(websocket.CloseGoingAway, "server shutting down")
				return nil
			}
			if sendEntry(e) != nil {
				return nil
			}
		}
	}
}

// join counts a new live connection and returns the channel on which it
// hears the count; every connection hears the new count.
func (s *Sockets) join() chan int {
	ch := make(chan int, 1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.here == nil {
		s.here = make(map[chan int]struct{})
	}
	s.here[ch] = struct{}{}
	s.broadcastLocked()
	return ch
}

// leave forgets a live connection and tells the others.
func (s *Sockets) leave(ch chan int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.here, ch)
	s.broadcastLocked()
}

// broadcastLocked puts the count in every connection's channel, replacing
// a count it has not read yet: only the latest matters.
func (s *Sockets) broadcastLocked() {
	n := len(s.here)
	for ch := range s.here {
		select {
		case <-ch:
		default:
		}
		ch <- n
	}
}
