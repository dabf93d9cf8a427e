// Package docs embeds the Markdown chapters of this directory and renders
// them as HTML pages (Site), so that the example app can serve them at
// /docs: a reader who runs `go run ./app` reads the docs in a browser,
// served by the framework they describe.
package docs

import "embed"

// FS holds every Markdown file of this directory: "README.md" (the map
// of the docs) and the chapters, such as "01-sockets.md".
//
//go:embed *.md
var FS embed.FS
