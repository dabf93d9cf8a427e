package frameworktest

import (
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/groundup-go/groundup/framework"
)

// Client is a stateful test client, a browser in memory: it keeps the
// cookies the server sets (honouring Path, Max-Age, Expires, Secure and
// deletion), remembers the CSRF token of the last HTML page it fetched
// and adds it to the forms it posts, follows redirects when asked, and
// shows what the server logged when a response is a 5xx.
//
//	c := frameworktest.NewClient(app.Serve)
//	c.TB = t
//	c.Get("/entries/new")                            // sets the session cookie, keeps the token
//	res := c.PostForm("/entries", url.Values{...})   // sends both back
//
// Each request goes through the same in-memory path as Test, on a
// connection of its own. A Client is not safe for concurrent use.
type Client struct {
	// Handler serves the requests; Server, when set, is used instead.
	Handler framework.Handler
	// Server, when set, serves the requests, with its own limits. When
	// nil, the first request makes one with Handler and a logger writing
	// to Logs.
	Server *framework.Server
	// Logs collects what the server logs across the client's requests.
	// An app built with Logs.Logger() logs there too.
	Logs *Logs

	// TB, when set, receives the server's log lines of every 5xx
	// response through TB.Log, so that a failing test shows the cause.
	TB testing.TB

	// Host is sent in the Host header: "example.com" when empty.
	Host string
	// Secure says the client reaches the server over HTTPS, through a
	// TLS-terminating proxy say. When false, a Secure cookie is refused,
	// as a browser refuses one on plain http://.
	Secure bool
	// FollowRedirects makes every request follow 3xx responses that
	// carry a Location on the same host, at most 10 in a row, as a
	// browser does: 301, 302 and 303 turn into a GET without body; 307
	// and 308 repeat the method and body.
	FollowRedirects bool
	// CSRFField is the name of the hidden form field that carries the
	// CSRF token: "_csrf" when empty (session.CSRFConfig's default).
	CSRFField string
	// Now is the clock for cookie expiry: time.Now when nil. A test can
	// move it forward to see a cookie expire.
	Now func() time.Time

	jar   []*framework.Cookie // host-only cookies; Expires holds the deadline
	token string
}

// NewClient returns a client that sends its requests to h.
func NewClient(h framework.Handler) *Client {
	return &Client{Handler: h, Logs: &Logs{}}
}

// maxRedirects bounds a chain of redirects, as browsers do.
const maxRedirects = 10

// Get sends a GET request for target.
func (c *Client) Get(target string) *Response {
	return c.Do(NewRequest("GET", target))
}

// PostForm posts form to target, url-encoded. When form has no CSRF
// field and the client holds a token from an earlier page, the token is
// added, as the hidden field of that page's form would be.
func (c *Client) PostForm(target string, form url.Values) *Response {
	return c.Do(NewRequest("POST", target).WithForm(c.withToken(form)))
}

// Submit fetches page, as a user opens a form, then posts form to
// action with that page's CSRF token. It returns the page's response
// when the page is not a 2xx, so the test sees why.
func (c *Client) Submit(page, action string, form url.Values) *Response {
	if res := c.Get(page); res.Err != nil || res.Status/100 != 2 {
		return res
	}
	return c.PostForm(action, form)
}

// CSRFToken returns the token of the last HTML page that carried one, to
// send by hand, in the X-CSRF-Token header of a script's request say.
func (c *Client) CSRFToken() string { return c.token }

func (c *Client) withToken(form url.Values) url.Values {
	field := c.field()
	if c.token == "" || form.Has(field) {
		return form
	}
	out := url.Values{field: {c.token}}
	for k, v := range form {
		out[k] = v
	}
	return out
}

func (c *Client) field() string {
	if c.CSRFField == "" {
		return "_csrf"
	}
	return c.CSRFField
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Do sends req with the client's cookies, stores the cookies the
// response sets, and follows redirects if FollowRedirects is set. The
// Host header is the client's; a Cookie header set on req is sent as it
// is, in place of the jar's.
func (c *Client) Do(req *Request) *Response {
	res := c.do(req)
	for n := 0; c.FollowRedirects && n < maxRedirects && res.Err == nil; n++ {
		next := c.redirect(req, res)
		if next == nil {
			break
		}
		req = next
		res = c.do(req)
	}
	return res
}

// redirect returns the request that follows res, or nil if res is not a
// redirect the client can follow.
func (c *Client) redirect(req *Request, res *Response) *Request {
	loc := res.Get("Location")
	switch res.Status {
	case 301, 302, 303, 307, 308:
	default:
		return nil
	}
	if loc == "" {
		return nil
	}
	base, err := url.Parse(req.Target)
	if err != nil {
		return nil
	}
	u, err := url.Parse(loc)
	if err != nil {
		return nil
	}
	u = base.ResolveReference(u)
	if u.Host != "" && !strings.EqualFold(u.Host, c.host()) {
		return nil // another site: a test sees the redirect itself
	}
	u.Scheme, u.Host, u.Fragment = "", "", ""
	next := NewRequest(req.Method, u.RequestURI())
	if res.Status == 307 || res.Status == 308 {
		next.Body = req.Body
		if ct := req.Header.Get("Content-Type"); ct != "" {
			next.Header.Set("Content-Type", ct)
		}
	} else if req.Method != "HEAD" {
		next.Method = "GET"
	}
	return next
}

func (c *Client) host() string {
	if c.Host == "" {
		return "example.com"
	}
	return c.Host
}

// do sends one request.
func (c *Client) do(req *Request) *Response {
	if c.Logs == nil {
		c.Logs = &Logs{}
	}
	if c.Server == nil {
		c.Server = &framework.Server{Handler: c.Handler, Logger: c.Logs.Logger()}
	}
	req.Header.Set("Host", c.host())
	if !req.Header.Has("Cookie") {
		if v := c.cookieHeader(req.Target); v != "" {
			req.Header.Set("Cookie", v)
		}
	}
	mark := c.Logs.len()
	res := parseOne(ServeBytes(c.Server, req.Bytes()), req.Method == "HEAD")
	res.URL = req.Target
	res.Log = c.Logs.since(mark)
	for _, sc := range res.SetCookies() {
		c.store(req.Target, sc)
	}
	if tok, ok := findToken(res, c.field()); ok {
		c.token = tok
	}
	if c.TB != nil && (res.Status >= 500 || res.Err != nil) {
		c.TB.Helper()
		c.TB.Logf("%s %s: %d %v; the server logged:\n\t%s", req.Method, req.Target, res.Status, res.Err, strings.Join(res.Log, "\n\t"))
	}
	return res
}

// findToken returns the value of the first hidden input named field in
// an HTML response.
func findToken(res *Response, field string) (string, bool) {
	if !strings.HasPrefix(res.Get("Content-Type"), "text/html") {
		return "", false
	}
	for _, tag := range inputTag.FindAll(res.Body, -1) {
		if attr(string(tag), "name") == field {
			return attr(string(tag), "value"), true
		}
	}
	return "", false
}

var (
	inputTag = regexp.MustCompile(`(?i)<input\s[^>]*>`)
	attrRe   = regexp.MustCompile(`(?i)\s([a-z_:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))`)
)

// attr returns the unescaped value of the attribute name in an HTML tag.
func attr(tag, name string) string {
	for _, m := range attrRe.FindAllStringSubmatch(tag, -1) {
		if strings.EqualFold(m[1], name) {
			return html.UnescapeString(m[2] + m[3] + m[4])
		}
	}
	return ""
}

// store keeps the cookie a response to target set, or deletes it, as a
// browser does (RFC 6265 §5.3), for a host-only jar.
func (c *Client) store(target, setCookie string) {
	ck, ok := ParseSetCookie(setCookie)
	if !ok || (ck.Secure && !c.Secure) {
		return
	}
	if ck.Domain != "" && !strings.EqualFold(ck.Domain, hostOnly(c.host())) {
		return // a cookie for another site
	}
	if ck.Path == "" {
		ck.Path = defaultPath(target)
	}
	now := c.now()
	deleted := false
	switch {
	case ck.MaxAge < 0:
		deleted = true
	case ck.MaxAge > 0:
		ck.Expires = now.Add(time.Duration(ck.MaxAge) * time.Second)
	case !ck.Expires.IsZero() && !ck.Expires.After(now):
		deleted = true
	}
	c.jar = slices.DeleteFunc(c.jar, func(o *framework.Cookie) bool { return o.Name == ck.Name && o.Path == ck.Path })
	if !deleted {
		c.jar = append(c.jar, &ck)
	}
}

func hostOnly(hostport string) string {
	if i := strings.LastIndexByte(hostport, ':'); i >= 0 && !strings.Contains(hostport[i:], "]") {
		return hostport[:i]
	}
	return hostport
}

// defaultPath is a cookie's path when Set-Cookie names none: the
// directory of the request's path (RFC 6265 §5.1.4).
func defaultPath(target string) string {
	p, _, _ := strings.Cut(target, "?")
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return "/"
	}
	return p[:i]
}

// pathMatch reports whether a request path is within a cookie's path
// (RFC 6265 §5.1.4).
func pathMatch(reqPath, cookiePath string) bool {
	if reqPath == cookiePath {
		return true
	}
	if !strings.HasPrefix(reqPath, cookiePath) {
		return false
	}
	return strings.HasSuffix(cookiePath, "/") || reqPath[len(cookiePath)] == '/'
}

// live returns the cookies that have not expired, dropping the others.
func (c *Client) live() []*framework.Cookie {
	now := c.now()
	c.jar = slices.DeleteFunc(c.jar, func(ck *framework.Cookie) bool {
		return !ck.Expires.IsZero() && !ck.Expires.After(now)
	})
	return c.jar
}

// cookieHeader returns the Cookie header for a request to target: the
// cookies whose path matches, longest path first.
func (c *Client) cookieHeader(target string) string {
	p, _, _ := strings.Cut(target, "?")
	var send []*framework.Cookie
	for _, ck := range c.live() {
		if pathMatch(p, ck.Path) {
			send = append(send, ck)
		}
	}
	slices.SortStableFunc(send, func(a, b *framework.Cookie) int { return len(b.Path) - len(a.Path) })
	pairs := make([]string, len(send))
	for i, ck := range send {
		pairs[i] = ck.Name + "=" + ck.Value
	}
	return strings.Join(pairs, "; ")
}

// Cookie returns the value of the cookie the client holds under name,
// whatever its path.
func (c *Client) Cookie(name string) (string, bool) {
	for _, ck := range c.live() {
		if ck.Name == name {
			return ck.Value, true
		}
	}
	return "", false
}

// Cookies returns the cookies the client holds; Expires is each one's
// deadline, zero for a session cookie.
func (c *Client) Cookies() []framework.Cookie {
	out := make([]framework.Cookie, 0, len(c.jar))
	for _, ck := range c.live() {
		out = append(out, *ck)
	}
	return out
}

// SetCookie adds a cookie to the jar by hand, as if the server had set
// it; Path "/" when empty.
func (c *Client) SetCookie(name, value string) {
	c.store("/", name+"="+value+"; Path=/")
}

// ClearCookies empties the jar, as a browser that restarts drops its
// session cookies.
func (c *Client) ClearCookies() { c.jar = nil }
