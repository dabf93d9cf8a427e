// Package feed carries each new guestbook entry to the live streams that
// are open (GET /live/entries). Controllers depend on the Broker
// interface alone; InProcess is the implementation for a single app
// process. One shared between instances (PostgreSQL LISTEN/NOTIFY, say)
// would sit beside it and take its place in the app's set-up, and no
// controller would change.
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
