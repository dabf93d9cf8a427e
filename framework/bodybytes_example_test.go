package framework_test

import (
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

// A handler that needs the whole body reads it with BodyBytes: one
// pooled buffer, sized to Content-Length, bounded by the body limit. The
// bytes are the handler's until it returns; what it keeps, it copies.
func ExampleCtx_BodyBytes() {
	app := framework.New()
	app.POST("/digest", func(c *framework.Ctx) error {
		c.SetBodyLimit(16)
		b, err := c.BodyBytes()
		if err != nil {
			return err // ErrBodyTooLarge past the limit: a 413
		}
		return c.String(200, fmt.Sprintf("%d bytes, sha256 %x", len(b), sha256.Sum256(b)))
	})
	for _, body := range []string{"hello", strings.Repeat("x", 17)} {
		res := frameworktest.Test(app.Serve, frameworktest.NewRequest("POST", "/digest").
			WithBody("application/octet-stream", []byte(body)))
		if res.Status != 200 {
			fmt.Println(res.Status)
			continue
		}
		fmt.Printf("%d %.40s\n", res.Status, res.Body)
	}
	// Output:
	// 200 5 bytes, sha256 2cf24dba5fb0a30e26e83b2a
	// 413
}
