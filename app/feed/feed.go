// Package feed carries each new guestbook entry to the live streams that
// are open (GET /live/entries). Controllers depend on the Broker
// interface alone. It has two implementations, and the database picks
// one: InProcess for a single app process on SQLite, and Postgres for
// any number of instances on one PostgreSQL database, which hear each
// other's entries through LISTEN/NOTIFY.
package feed

import "github.com/groundup-go/groundup/app/models"

// Broker fans new entries out to subscribers.
type Broker interface {
	// Subscribe returns a channel of new entries and a function that ends
	// the subscription. The channel is closed by cancel or when the
	// broker closes.
	Subscribe() (entries <-chan models.Entry, cancel func())
	// Publish sends e to every subscriber without waiting for slow ones,
	// and reports how many missed it.
	Publish(e models.Entry) (missed int)
	// Close ends every subscription, so that live streams finish before
	// a graceful shutdown; later subscriptions end at once.
	Close()
}
