// Command app is groundup's example app: the seed demo at /, a guestbook
// built the way we recommend (SQLite or PostgreSQL models, templ views, controllers,
// one routes file), its JSON API, a live feed over server-sent events,
// and the docs at /docs.
//
//	go run ./app                      # http://127.0.0.1:8000
//	go run ./app -addr :8080 -dev
//	GROUNDUP_DB=/var/lib/groundup/app.db go run ./app
//	go run ./app -db postgres://groundup@127.0.0.1/groundup -trusted-proxies 127.0.0.1
//
// Every flag has an environment variable; run with -h for the list.
// SIGINT or SIGTERM stops the server gracefully.
package main

import (
	"context"
	"fmt"
	"os"
)

func main() {
	if err := run(context.Background(), os.Args, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "groundup:", err)
		os.Exit(1)
	}
}
