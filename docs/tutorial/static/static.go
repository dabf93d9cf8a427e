// Package static holds the app's CSS, embedded in the binary.
package static

import "embed"

// FS holds every file of this directory.
//
//go:embed *.css
var FS embed.FS
