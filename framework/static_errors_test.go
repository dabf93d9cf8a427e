package framework_test

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"testing"
	"testing/fstest"
	"time"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

// Static files when the file system fails: errors to responses and log
// lines, never a half-sent file that claims to be whole.

// stFaultyFS fails in the ways a disk can.
type stFaultyFS struct{ fstest.MapFS }

var errDiskOnFire = errors.New("disk on fire")

func (f stFaultyFS) Open(name string) (fs.File, error) {
	switch name {
	case "locked.txt":
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	case "broken.txt":
		return nil, &fs.PathError{Op: "open", Path: name, Err: errDiskOnFire}
	case "readfail.txt":
		return &stBadFile{size: 10, failAt: 0}, nil
	case "short.txt":
		// Claims 200 KiB, fails after 100 KiB: the head is on the wire by
		// then, so the connection must be cut.
		return &stBadFile{size: 200 << 10, failAt: 100 << 10}, nil
	case "plain.txt", "seeker.txt":
		f, err := f.MapFS.Open("hello.txt")
		if err != nil {
			return nil, err
		}
		if name == "seeker.txt" {
			return stSeekOnly{f.(stSeekFile)}, nil
		}
		return stReadOnly{f}, nil
	}
	return f.MapFS.Open(name)
}

// stBadFile returns zeros until failAt, then an error.
type stBadFile struct {
	size, failAt, off int64
}

func (b *stBadFile) Stat() (fs.FileInfo, error) { return stInfo{b.size}, nil }
func (b *stBadFile) Close() error               { return nil }
func (b *stBadFile) Read(p []byte) (int, error) {
	if b.off >= b.failAt {
		return 0, errDiskOnFire
	}
	n := min(int64(len(p)), b.failAt-b.off)
	clear(p[:n])
	b.off += n
	return int(n), nil
}

type stInfo struct{ size int64 }

func (i stInfo) Name() string       { return "bad" }
func (i stInfo) Size() int64        { return i.size }
func (i stInfo) Mode() fs.FileMode  { return 0o444 }
func (i stInfo) ModTime() time.Time { return stMod }
func (i stInfo) IsDir() bool        { return false }
func (i stInfo) Sys() any           { return nil }

// stReadOnly hides everything but fs.File: no Seek, no ReadAt.
type stReadOnly struct{ fs.File }

type stSeekFile interface {
	fs.File
	io.Seeker
}

// stSeekOnly has Seek but no ReadAt.
type stSeekOnly struct{ stSeekFile }

func TestStaticFileErrors(t *testing.T) {
	files := stFiles()
	app := framework.New()
	app.Static("/f", stFaultyFS{files}, framework.StaticConfig{})
	tests := []struct {
		target string
		fields []string
		status int
		body   string
	}{
		{"/f/missing.txt", nil, 404, ""},
		{"/f/hello.txt/x", nil, 404, ""},
		{"/f/locked.txt", nil, 403, ""},
		{"/f/broken.txt", nil, 500, ""},
		{"/f/readfail.txt", nil, 500, ""},
		{"/f/plain.txt", []string{"Range: bytes=7-11"}, 206, "world"},
		{"/f/seeker.txt", []string{"Range: bytes=7-11"}, 206, "world"},
		{"/f/plain.txt", nil, 200, stHello},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			lg := &stLog{}
			srv := &framework.Server{Handler: app.Serve, Logger: slog.New(lg)}
			out := frameworktest.ServeBytes(srv, []byte(stReq("GET", tt.target, tt.fields...)))
			res := stParse(t, out, false)
			if res.Status != tt.status {
				t.Fatalf("status %d, want %d\n%s", res.Status, tt.status, out)
			}
			if tt.body != "" && string(res.Body) != tt.body {
				t.Errorf("body %q, want %q", res.Body, tt.body)
			}
			if tt.status >= 400 {
				if res.Header.Has("ETag") || res.Header.Has("Content-Range") || res.Get("Content-Type") == "application/octet-stream" {
					t.Errorf("error response keeps the file's fields:\n%s", out)
				}
				if len(lg.recs) == 0 {
					t.Errorf("nothing logged")
				}
			}
		})
	}

	t.Run("read error mid-way cuts the connection", func(t *testing.T) {
		s := stStart(t, app.Serve)
		out := stRawTCP(t, s.addr, stReq("GET", "/f/short.txt"))
		head, body, _ := bytes.Cut(out, []byte("\r\n\r\n"))
		if !bytes.HasPrefix(head, []byte("HTTP/1.1 200 ")) || !bytes.Contains(head, []byte("Content-Length: 204800")) {
			t.Fatalf("head:\n%s", head)
		}
		if len(body) != 100<<10 {
			t.Errorf("body %d bytes, want the 102400 read before the failure", len(body))
		}
		if !s.log.has(slog.LevelError, "static: file ended early") {
			t.Errorf("failure not logged at error")
		}
	})
}
