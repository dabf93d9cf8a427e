package page_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/groundup-go/groundup/docs/bench/page"
)

// Both versions of the page render the same bytes.
func Example() {
	var std, tpl bytes.Buffer
	page.RenderStd(&std, page.Sample)
	page.View(page.Sample).Render(context.Background(), &tpl)
	fmt.Println(bytes.Equal(std.Bytes(), tpl.Bytes()), std.String()[:15])
	// Output: true <!doctype html>
}
