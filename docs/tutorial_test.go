package docs_test

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestTutorialApp builds the tutorial's finished app (docs/tutorial/) as
// a reader's fresh module would be: copied into an empty folder, with the
// framework's module replaced by this repository, then templ generate
// (which must change nothing), go vet and go test. So the tutorial cannot
// drift from the framework it teaches.
func TestTutorialApp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module: skipped in -short mode")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	repo, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	src := "tutorial"
	err = filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if rel == "go.mod" {
			b = bytes.Replace(b, []byte("=> ../.."), []byte("=> "+repo), 1)
		}
		return os.WriteFile(filepath.Join(dir, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	gomod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	if !strings.Contains(string(gomod), "=> "+repo) {
		t.Fatalf("go.mod of the tutorial does not replace the framework with ../..:\n%s", gomod)
	}

	goCmd := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(goTool, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "GOWORK=off")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	templs, _ := filepath.Glob(filepath.Join(dir, "*", "*.templ"))
	if len(templs) > 0 {
		before := snapshot(t, dir, "_templ.go")
		goCmd("tool", "templ", "generate")
		after := snapshot(t, dir, "_templ.go")
		for name, b := range after {
			// Generated from the repository's root, as CI runs templ, the
			// committed files name docs/tutorial/views/x.templ; here,
			// views/x.templ.
			if strings.ReplaceAll(before[name], "FileName: `docs/tutorial/", "FileName: `") != b {
				t.Errorf("templ generate changed %s: run it in docs/tutorial and commit the result", name)
			}
		}
	}
	goCmd("vet", "./...")
	t.Log(goCmd("test", "./..."))
}

// snapshot returns the files under dir whose names end in suffix.
func snapshot(t *testing.T, dir, suffix string) map[string]string {
	out := map[string]string{}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, suffix) {
			b, _ := os.ReadFile(path)
			out[path] = string(b)
		}
		return nil
	})
	return out
}
