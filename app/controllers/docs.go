package controllers

import (
	"errors"
	"io/fs"
	"strconv"
	"strings"

	"github.com/groundup-go/groundup/docs"
	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/views"
)

// Docs serves the pages of a docs.Site in the app's layout: README.md at
// /docs, NN-name.md at /docs/NN-name. The site renders the Markdown; the
// controller maps URLs to pages.
type Docs struct {
	Site *docs.Site
}

// Index renders README.md, the map of the docs.
func (d *Docs) Index(c *framework.Ctx) error {
	return d.serve(c, "")
}

// Show renders the chapter named by the :page parameter. "/docs/x.md"
// redirects to "/docs/x", so that links that kept their .md work too.
//
// The slug is checked before it goes into a Location: it is the decoded
// path segment, so it may hold CR or LF ("%0D%0A", which the response
// writer would refuse with a 500) or "?" ("%3F", which would turn the
// rest into a query). Only a valid slug is redirected; anything else is
// a 404, as for a page that does not exist.
func (d *Docs) Show(c *framework.Ctx) error {
	slug := c.Param("page")
	if s, ok := strings.CutSuffix(slug, ".md"); ok {
		switch {
		case s == "README":
			return c.Redirect(framework.StatusMovedPermanently, docs.URL(""))
		case docs.ValidSlug(s):
			return c.Redirect(framework.StatusMovedPermanently, docs.URL(s))
		}
		return framework.NewError(framework.StatusNotFound, "no docs page "+strconv.Quote(slug))
	}
	if slug == "README" {
		return c.Redirect(framework.StatusMovedPermanently, docs.URL(""))
	}
	if !docs.ValidSlug(slug) {
		return framework.NewError(framework.StatusNotFound, "no docs page "+strconv.Quote(slug))
	}
	return d.serve(c, slug)
}

func (d *Docs) serve(c *framework.Ctx, slug string) error {
	nav, err := d.Site.Nav()
	if err != nil {
		return err
	}
	p, err := d.Site.Page(slug)
	if errors.Is(err, fs.ErrNotExist) {
		return &framework.HTTPError{Code: framework.StatusNotFound, Message: "no docs page " + strconv.Quote(slug), Err: err}
	}
	if err != nil {
		return err
	}
	page := views.DocPage{Slug: p.Slug, Title: p.Title, HTML: p.HTML, Nav: make([]views.DocLink, len(nav))}
	for i, l := range nav {
		page.Nav[i] = views.DocLink(l)
	}
	return c.Render(framework.StatusOK, views.Docs(page))
}
