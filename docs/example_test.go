package docs_test

import (
	"fmt"

	"github.com/groundup-go/groundup/docs"
)

func ExampleRewriteLink() {
	fmt.Println(docs.RewriteLink("04-connection.md#timeouts"))
	fmt.Println(docs.RewriteLink("README.md"))
	fmt.Println(docs.RewriteLink("../framework/conn.go"))
	// Output:
	// /docs/04-connection#timeouts
	// /docs
	// https://github.com/groundup-go/groundup/blob/main/framework/conn.go
}

func ExampleSlugify() {
	fmt.Println(docs.Slugify("Keep-alive & pipelining"))
	// Output: keep-alive--pipelining
}
