package chstore

import (
	"cmp"
	"context"
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/retention"
	"github.com/balticom/lineage/pkg/subjectfact"
)

var (
	//go:embed queries/retained_requests.sql
	retainedRequestsSQL string
	//go:embed queries/retained_unmet.sql
	retainedUnmetSQL string
)

// A disclosure of retained data to an authority is, by the sources'
// contract, a transfer from CDR mediation on a legal obligation (§5.5)
// whose categories include traffic data (annex 1, cat. 31), naming the
// authority as recipient. Other events, e.g. the officer's look-up before
// it, are not disclosures.
const (
	retainedSource   = "cdr_mediation"
	retainedPurpose  = "legal_obligation"
	retainedCategory = "traffic_data"
)

// elapsedBounds are the upper bounds, in months, of the elapsed-time
// buckets of the statistics; past the last is "over 24 months".
var elapsedBounds = []int{3, 6, 12, 18, 24}

// RetainedDataStatistics are a year's statistics of retained data given to
// competent authorities, as the Data Retention Directive (2006/24/EC) Art.
// 10 set them and the Latvian Electronic Communications Law keeps them:
// the cases in which data were given, the time between the day the data
// were retained and the authority's request, and the cases in which a
// request could not be met. The year is by UTC occurred_at (a
// disclosure) and at (an unmet request).
type RetainedDataStatistics struct {
	Year int
	// Requests are the requests answered with at least one disclosure in
	// the year: a request_ref at an authority, or a disclosure without
	// one (counted in WithoutReference too). A request answered in two
	// years counts in both.
	Requests, WithoutReference uint64
	// Disclosures are the events, each event id once.
	Disclosures uint64
	// Subjects are the distinct subjects as stored: a customer id, or the
	// phone number or IP address (keyed) a disclosure was filed under, not
	// resolved to customers: one person with two numbers counts twice.
	Subjects uint64
	// Elapsed are the requests by the time from their oldest retained
	// data (retention_from) to their first disclosure in the year, which
	// stands for the request's date; ElapsedUnknown those whose
	// disclosures name no retention_from.
	Elapsed        []ElapsedBucket
	ElapsedUnknown uint64
	// Unmet are the requests received in the year that could not be met
	// (subject facts lawful_request_unmet), each fact once.
	Unmet uint64
	// Authorities are the recipients of the disclosures and of the unmet
	// requests, by recipient id.
	Authorities []AuthorityStatistics
}

// ElapsedBucket counts the requests whose first disclosure was more than
// FromMonths and at most ToMonths calendar months after the oldest day of
// retained data given (0 to 3 includes the day itself); ToMonths 0 means
// no upper bound. Months are counted as pkg/retention counts periods.
type ElapsedBucket struct {
	FromMonths, ToMonths int
	Requests             uint64
}

// Label names the bucket as the statistics do: "0-3", …, "over 24".
func (b ElapsedBucket) Label() string {
	if b.ToMonths == 0 {
		return "over " + strconv.Itoa(b.FromMonths)
	}
	return strconv.Itoa(b.FromMonths) + "-" + strconv.Itoa(b.ToMonths)
}

// AuthorityStatistics are one authority's requests in the year.
type AuthorityStatistics struct {
	RecipientID string
	// Name is the name on the authority's latest disclosure in the year;
	// empty when it has only unmet requests (facts carry no name).
	Name string
	// Requests answered with a disclosure; Unmet that could not be met.
	Requests, Unmet uint64
}

// RetainedDataStatistics computes the statistics of a calendar year (UTC)
// from the CDR disclosures and the unmet-request facts. Safe for
// concurrent use.
func (s *Store) RetainedDataStatistics(ctx context.Context, year int) (RetainedDataStatistics, error) {
	if year < lineage.Earliest.Year() || year > 9999 {
		return RetainedDataStatistics{}, fmt.Errorf("retained data statistics: year %d must be %d to 9999: %w", year, lineage.Earliest.Year(), ErrInvalidQuery)
	}
	from := time.Date(year, time.January, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(1, 0, 0)
	out := RetainedDataStatistics{Year: year, Elapsed: make([]ElapsedBucket, len(elapsedBounds)+1)}
	lower := 0
	for i, b := range append(slices.Clone(elapsedBounds), 0) {
		out.Elapsed[i] = ElapsedBucket{FromMonths: lower, ToMonths: b}
		lower = b
	}
	authorities := map[string]*AuthorityStatistics{}
	authority := func(id string) *AuthorityStatistics {
		a := authorities[id]
		if a == nil {
			a = &AuthorityStatistics{RecipientID: id}
			authorities[id] = a
		}
		return a
	}
	if err := s.retainedRequests(ctx, from, to, &out, authority); err != nil {
		return RetainedDataStatistics{}, err
	}
	if err := s.retainedUnmet(ctx, from, to, &out, authority); err != nil {
		return RetainedDataStatistics{}, err
	}
	for _, a := range authorities {
		out.Authorities = append(out.Authorities, *a)
	}
	slices.SortFunc(out.Authorities, func(a, b AuthorityStatistics) int { return cmp.Compare(a.RecipientID, b.RecipientID) })
	return out, nil
}

// retainedRequests counts the year's disclosures, request by request.
func (s *Store) retainedRequests(ctx context.Context, from, to time.Time, out *RetainedDataStatistics, authority func(string) *AuthorityStatistics) error {
	fromUS, toUS := bounds(from, to)
	rows, err := s.conn.Query(ctx, retainedRequestsSQL,
		clickhouse.Named("from_us", fromUS),
		clickhouse.Named("to_us", toUS),
		clickhouse.Named("source", retainedSource),
		clickhouse.Named("kind", string(lineage.Transfer)),
		clickhouse.Named("purpose", retainedPurpose),
		clickhouse.Named("category", retainedCategory),
		clickhouse.Named("attr_ref", lineage.AttrRequestRef),
		clickhouse.Named("attr_from", lineage.AttrRetentionFrom))
	if err != nil {
		return fmt.Errorf("query the disclosures of retained data of %d in %s: %w", out.Year, s.cfg.Database, err)
	}
	defer rows.Close()
	subjects := map[string]struct{}{}
	latest := map[string]int64{} // authority → its latest disclosure, whose name it is known by
	for rows.Next() {
		var (
			recipient, name, ref, oldest string
			firstUS, lastUS              int64
			events                       uint64
			keys                         []string
		)
		if err := rows.Scan(&recipient, &name, &ref, &firstUS, &lastUS, &oldest, &events, &keys); err != nil {
			return fmt.Errorf("scan the disclosures of retained data of %d in %s: %w", out.Year, s.cfg.Database, err)
		}
		out.Requests++
		out.Disclosures += events
		if ref == "" {
			out.WithoutReference++
		}
		for _, k := range keys {
			subjects[k] = struct{}{}
		}
		a := authority(recipient)
		a.Requests++
		if l, ok := latest[recipient]; !ok || lastUS > l {
			a.Name, latest[recipient] = name, lastUS
		}
		if i, ok := elapsedBucket(oldest, fromMicros(firstUS)); ok {
			out.Elapsed[i].Requests++
		} else {
			out.ElapsedUnknown++
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the disclosures of retained data of %d in %s: %w", out.Year, s.cfg.Database, err)
	}
	out.Subjects = uint64(len(subjects))
	return nil
}

// retainedUnmet counts the year's unmet requests, per authority.
func (s *Store) retainedUnmet(ctx context.Context, from, to time.Time, out *RetainedDataStatistics, authority func(string) *AuthorityStatistics) error {
	fromUS, toUS := bounds(from, to)
	rows, err := s.conn.Query(ctx, retainedUnmetSQL,
		clickhouse.Named("from_us", fromUS),
		clickhouse.Named("to_us", toUS),
		clickhouse.Named("unmet", string(subjectfact.LawfulRequestUnmet)))
	if err != nil {
		return fmt.Errorf("query the unmet requests for retained data of %d in %s: %w", out.Year, s.cfg.Database, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			recipient string
			n         uint64
		)
		if err := rows.Scan(&recipient, &n); err != nil {
			return fmt.Errorf("scan the unmet requests for retained data of %d in %s: %w", out.Year, s.cfg.Database, err)
		}
		out.Unmet += n
		authority(recipient).Unmet += n
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the unmet requests for retained data of %d in %s: %w", out.Year, s.cfg.Database, err)
	}
	return nil
}

// elapsedBucket is the index in RetainedDataStatistics.Elapsed of a
// request whose oldest retained data are of the day oldest (YYYY-MM-DD)
// and whose first disclosure was at first; ok is false when oldest is no
// day. The day of the request is in the first bucket up to and including
// the same date three months later, as a period of months ends
// (retention.Period.End).
func elapsedBucket(oldest string, first time.Time) (i int, ok bool) {
	from, err := retention.ParseDay(oldest)
	if err != nil {
		return 0, false
	}
	asked := retention.Day(first)
	for i, months := range elapsedBounds {
		if !asked.After(retention.MonthsLater(from, months)) {
			return i, true
		}
	}
	return len(elapsedBounds), true
}
