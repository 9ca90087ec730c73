package awsfake

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sync"
	"testing"
)

// sigV4 matches the Authorization header of a SigV4-signed request. The fakes do not
// verify signatures; they check a request was signed and record which access key signed
// it, so a test can tell which credentials the client used.
var sigV4 = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([^/]+)/[0-9]{8}/([^/]+)/([^/]+)/aws4_request`)

type authLog struct {
	mu      sync.Mutex
	keys    map[string]int
	regions map[string]int
}

type errorWriter func(w http.ResponseWriter, status int, code, msg string)

// check records the signer of r, or answers 403 when r is not SigV4-signed.
func (a *authLog) check(w http.ResponseWriter, r *http.Request, fail errorWriter) bool {
	m := sigV4.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		fail(w, http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token")
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.keys == nil {
		a.keys, a.regions = map[string]int{}, map[string]int{}
	}
	a.keys[m[1]]++
	a.regions[m[2]]++
	return true
}

func (a *authLog) accessKeys() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return keysOf(a.keys)
}

func (a *authLog) signedRegions() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return keysOf(a.regions)
}

// AccessKeys lists the access key ids that signed requests to the fake.
func (e *EBS) AccessKeys() []string { return e.auth.accessKeys() }

// Serve starts h on 127.0.0.1 for the test's lifetime and returns its URL.
func Serve(t testing.TB, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func keysOf[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
