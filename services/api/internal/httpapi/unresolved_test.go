package httpapi

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/services/chstore"
)

func TestUnresolved(t *testing.T) {
	oldest := time.Date(2023, 5, 1, 12, 0, 0, 0, time.UTC)
	store := &memStore{unresolved: []chstore.UnresolvedCount{
		{Kind: lineage.IPAddress, Events: 2, Oldest: oldest.Add(time.Hour)},
		{Kind: lineage.MSISDN, Events: 5, Contested: 1, Oldest: oldest},
	}}
	now := testNow()
	s := newTestServer(t, store, okAuditor{}, io.Discard)
	s.now = func() time.Time { return now }
	const target = "/v1/identity/unresolved"

	if rec := get(s, target, nil); rec.Code != http.StatusUnauthorized {
		t.Fatalf("no token: %d", rec.Code)
	}
	if rec := get(s, target+"?kind=msisdn", bearer(dpoToken, "u1")); rec.Code != http.StatusBadRequest || errorOf(t, rec.Body.Bytes()).Code != codeUnknownParameter {
		t.Fatalf("a parameter: %d %s", rec.Code, rec.Body)
	}
	rec := get(s, target, bearer(dpoToken, "u2"))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var got unresolvedResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := unresolvedResponse{Total: 7, Contested: 1, AsOf: formatTime(now), Kinds: []unresolvedKindView{
		{Kind: "ip_address", Events: 2, OldestAt: "2023-05-01T13:00:00.000000Z"},
		{Kind: "msisdn", Events: 5, Contested: 1, OldestAt: "2023-05-01T12:00:00.000000Z"},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}

	// Counted once per s.unresolved.maxAge, however often it is asked.
	store.unresolved = nil
	get(s, target, bearer(dpoToken, "u3"))
	if store.calls != 1 {
		t.Fatalf("the store was asked %d times within %s", store.calls, s.unresolved.maxAge)
	}
	now = now.Add(s.unresolved.maxAge)
	rec = get(s, target, bearer(dpoToken, "u4"))
	if store.calls != 2 || !json.Valid(rec.Body.Bytes()) {
		t.Fatalf("after %s the store was asked %d times in all", s.unresolved.maxAge, store.calls)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got.Total != 0 || len(got.Kinds) != 0 {
		t.Fatalf("a fresh count of nothing: %s", rec.Body)
	}
}
