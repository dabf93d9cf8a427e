package framework

import "testing"

func TestHasDotSegment(t *testing.T) {
	for path, want := range map[string]bool{
		"/": false, "": false, ".": false, "/a.b": false, "/.well-known/x": false,
		"/a/.b": false, "/a/..b": false, "/a...": false, "a/.": true,
		"/.": true, "/..": true, "/./": true, "/../": true, "/a/./b": true,
		"/a/../b": true, "/a/b/.": true, "/a/b/..": true, "/x.y/./z": true,
		"/.../": false, "/a./b": false, "//.": true, "/.a/./": true,
	} {
		if got := hasDotSegment(path); got != want {
			t.Errorf("hasDotSegment(%q) = %v, want %v", path, got, want)
		}
	}
}
