package route53_test

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vedette-dns/vedette/internal/api/route53"
	"github.com/vedette-dns/vedette/internal/catalog"
	"github.com/vedette-dns/vedette/internal/store/bolt"
)

var update = flag.Bool("update", false, "rewrite golden response files")

type allowAll struct{}

func (allowAll) Authenticate(*http.Request) (string, error) { return "test", nil }

// goldenAPI is an API with deterministic ids, request ids and clock, and no
// authentication, for wire-format tests.
func goldenAPI(t testing.TB) http.Handler {
	st, err := bolt.Open(filepath.Join(t.TempDir(), "v.db"), bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	n := 0
	return route53.New(route53.Options{
		Catalog:      catalog.New(st),
		Auth:         allowAll{},
		NameServers:  []string{"ns1.vedette.test.", "ns2.vedette.test."},
		Now:          func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC) },
		NewID:        func(p string) string { n++; return fmt.Sprintf("%sGOLDEN%03d", p, n) },
		NewRequestID: func() string { return "00000000-0000-4000-8000-000000000000" },
	})
}

// TestGolden replays testdata/golden/*.req in name order against one server:
// each file is "METHOD PATH" on the first line and the XML body after it; the
// response (status line and body) must equal the matching .resp file.
func TestGolden(t *testing.T) {
	h := goldenAPI(t)
	reqs, _ := filepath.Glob("testdata/golden/*.req")
	sort.Strings(reqs)
	if len(reqs) == 0 {
		t.Fatal("no golden requests")
	}
	for _, path := range reqs {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		line, body, _ := strings.Cut(string(raw), "\n")
		method, target, _ := strings.Cut(line, " ")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, target, strings.NewReader(body)))
		got := fmt.Sprintf("%d %s\n%s", rec.Code, rec.Header().Get("Location"), rec.Body.String())
		respPath := strings.TrimSuffix(path, ".req") + ".resp"
		if *update {
			if err := os.WriteFile(respPath, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(respPath)
		if err != nil {
			t.Fatalf("%s: %v (run with -update)", respPath, err)
		}
		if got != string(want) {
			t.Errorf("%s:\n got: %s\nwant: %s", filepath.Base(path), got, want)
		}
	}
}

// FuzzChangeResourceRecordSets feeds arbitrary bodies to the batch handler:
// it must answer 200 or a 4xx error document, never crash or 5xx.
func FuzzChangeResourceRecordSets(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/golden/*.req")
	for _, s := range seeds {
		raw, _ := os.ReadFile(s)
		_, body, _ := strings.Cut(string(raw), "\n")
		f.Add([]byte(body))
	}
	f.Add([]byte("<ChangeResourceRecordSetsRequest><ChangeBatch><Changes><Change><Action>CREATE</Action><ResourceRecordSet><Name>\\777.example.com</Name><Type>A</Type><TTL>-1</TTL></ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>"))
	h := goldenAPI(f)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/2013-04-01/hostedzone", strings.NewReader(
		`<CreateHostedZoneRequest><Name>example.com</Name><CallerReference>fuzz</CallerReference></CreateHostedZoneRequest>`)))
	if rec.Code != http.StatusCreated {
		f.Fatalf("create zone: %d %s", rec.Code, rec.Body)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/2013-04-01/hostedzone/ZGOLDEN001/rrset/", bytes.NewReader(body)))
		if rec.Code >= 500 {
			b, _ := io.ReadAll(rec.Body)
			t.Fatalf("status %d: %s", rec.Code, b)
		}
	})
}
