package accessrequest_test

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/accessrequest"
	"github.com/balticom/lineage/pkg/accessrequest/accessrequesttest"
)

const subject = "C00000042"

var id = accessrequesttest.RequestID(1)

func fold(t *testing.T, events ...accessrequest.Event) accessrequest.Request {
	t.Helper()
	r, err := accessrequest.Fold(events)
	if err != nil {
		t.Fatalf("Fold: %v", err)
	}
	return r
}

// TestFoldAnyOrderWithCopies: the state does not depend on the order the
// events come in, nor on copies of an event (a retried publish).
func TestFoldAnyOrderWithCopies(t *testing.T) {
	received := at(t, 2026, 1, 31, 16, 45)
	events := []accessrequest.Event{
		accessrequesttest.Received(id, 1, received),
		accessrequesttest.IdentityChecked(id, 2, at(t, 2026, 2, 2, 9, 0), subject),
		accessrequesttest.Extended(id, 3, at(t, 2026, 2, 20, 9, 0), 1, at(t, 2026, 2, 20, 9, 5)),
		accessrequesttest.Answered(id, 4, at(t, 2026, 3, 30, 14, 0)),
	}
	want := accessrequest.Request{
		ID: id, Status: accessrequest.StatusAnswered,
		Received: received, Channel: accessrequest.ChannelMansBalticom, ReceivedBy: accessrequesttest.Actor,
		SubjectID: subject, IdentityMethod: accessrequest.MethodMansBalticomLogin, IdentityCheckedAt: events[1].At,
		Deadline: date(2026, 3, 2), // 28 February is a Saturday
		Extended: true, ExtensionMonths: 1, ExtendedDeadline: date(2026, 3, 31),
		ExtensionReason: events[2].Reason, ExtensionToldAt: events[2].SubjectToldAt,
		Answer: &accessrequest.Answer{
			At: events[3].At, ReportHash: events[3].ReportHash, Format: accessrequest.FormatPDF,
			Language: accessrequest.LanguageLV, DeliveryChannel: accessrequest.DeliverMansBalticom, By: accessrequesttest.Actor,
		},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		shuffled := append(append([]accessrequest.Event(nil), events...), events[rng.IntN(len(events))], events[rng.IntN(len(events))])
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if got := fold(t, shuffled...); !reflect.DeepEqual(got, want) {
			t.Fatalf("Fold(%v)\n got %+v\nwant %+v", shuffled, got, want)
		}
	}
	if events[3].At.After(want.ExtendedDeadline.End()) || want.Answer == nil {
		t.Fatal("fixture: the answer must be in time")
	}
}

// TestFoldOrder: events of one instant are ordered by when they were
// recorded, then by id: the later identity check wins.
func TestFoldOrder(t *testing.T) {
	received := at(t, 2026, 3, 2, 9, 30)
	first := accessrequesttest.IdentityChecked(id, 9, received.Add(time.Hour), "C00000001")
	second := accessrequesttest.IdentityChecked(id, 8, received.Add(time.Hour), subject)
	second.RecordedAt = first.RecordedAt.Add(time.Second)
	r := fold(t, second, first, accessrequesttest.Received(id, 1, received))
	if r.SubjectID != subject || len(r.Problems) != 1 || !strings.Contains(r.Problems[0], "another customer") {
		t.Errorf("subject %s, problems %q: want %s and a problem naming the change", r.SubjectID, r.Problems, subject)
	}
	// Same instant, same recording time: the event id decides.
	second.RecordedAt = first.RecordedAt
	if r := fold(t, first, second, accessrequesttest.Received(id, 1, received)); r.SubjectID != "C00000001" {
		t.Errorf("subject %s: want the check of the larger event id", r.SubjectID)
	}
}

func TestFoldExtensions(t *testing.T) {
	received := at(t, 2026, 1, 31, 10, 0) // first month ends Monday 2 March
	receipt := accessrequesttest.Received(id, 1, received)
	for _, tc := range []struct {
		name       string
		extensions []accessrequest.Event
		want       accessrequest.Date // Due
		months     int
		problem    string
	}{
		{"none", nil, date(2026, 3, 2), 0, ""},
		{"one month", []accessrequest.Event{
			accessrequesttest.Extended(id, 2, at(t, 2026, 2, 10, 9, 0), 1, at(t, 2026, 2, 10, 9, 0)),
		}, date(2026, 3, 31), 1, ""},
		{"two months", []accessrequest.Event{
			accessrequesttest.Extended(id, 2, at(t, 2026, 2, 10, 9, 0), 2, at(t, 2026, 2, 10, 9, 0)),
		}, date(2026, 4, 30), 2, ""},
		{"told on the last day of the rolled-over first month", []accessrequest.Event{
			accessrequesttest.Extended(id, 2, at(t, 2026, 3, 2, 23, 0), 1, at(t, 2026, 3, 2, 23, 59)),
		}, date(2026, 3, 31), 1, ""},
		{"told the day after the first month", []accessrequest.Event{
			accessrequesttest.Extended(id, 2, at(t, 2026, 3, 2, 23, 0), 1, at(t, 2026, 3, 3, 0, 0)),
		}, date(2026, 3, 2), 0, "after the first month ended on 2026-03-02 (GDPR Art. 12(3)): not in force"},
		{"one month, then two", []accessrequest.Event{
			accessrequesttest.Extended(id, 2, at(t, 2026, 2, 10, 9, 0), 1, at(t, 2026, 2, 10, 9, 0)),
			accessrequesttest.Extended(id, 3, at(t, 2026, 2, 27, 9, 0), 2, at(t, 2026, 2, 27, 9, 0)),
		}, date(2026, 4, 30), 2, ""},
		{"one month, then two told too late: the first stands", []accessrequest.Event{
			accessrequesttest.Extended(id, 2, at(t, 2026, 2, 10, 9, 0), 1, at(t, 2026, 2, 10, 9, 0)),
			accessrequesttest.Extended(id, 3, at(t, 2026, 3, 20, 9, 0), 2, at(t, 2026, 3, 20, 9, 0)),
		}, date(2026, 3, 31), 1, "not in force"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := fold(t, append([]accessrequest.Event{receipt}, tc.extensions...)...)
			if r.Due() != tc.want || r.ExtensionMonths != tc.months || r.Extended != (tc.months > 0) {
				t.Errorf("due %s, %d months (extended %v), want %s, %d months", r.Due(), r.ExtensionMonths, r.Extended, tc.want, tc.months)
			}
			switch {
			case tc.problem == "" && len(r.Problems) > 0:
				t.Errorf("problems %q, want none", r.Problems)
			case tc.problem != "" && (len(r.Problems) != 1 || !strings.Contains(r.Problems[0], tc.problem)):
				t.Errorf("problems %q, want one containing %q", r.Problems, tc.problem)
			}
		})
	}
}

// TestFoldProblems: what the log holds out of turn is kept as a problem
// for the DPO and changes nothing else.
func TestFoldProblems(t *testing.T) {
	received := at(t, 2026, 3, 2, 9, 30)
	receipt := accessrequesttest.Received(id, 1, received)
	check := accessrequesttest.IdentityChecked(id, 2, received.Add(time.Hour), subject)
	answer := accessrequesttest.Answered(id, 3, received.Add(10*24*time.Hour))
	refusal := accessrequesttest.Refused(id, 4, received.Add(11*24*time.Hour))
	for _, tc := range []struct {
		name    string
		events  []accessrequest.Event
		status  accessrequest.Status
		problem string
	}{
		{"a refusal after the answer", []accessrequest.Event{receipt, check, answer, refusal}, accessrequest.StatusAnswered,
			"refused of 2026-03-13 recorded after the request was closed: ignored"},
		{"an extension after the refusal", []accessrequest.Event{receipt, check, refusal,
			accessrequesttest.Extended(id, 5, refusal.At.Add(time.Hour), 1, refusal.At)}, accessrequest.StatusRefused,
			"extended of 2026-03-13 recorded after the request was closed"},
		{"an answer without identity check", []accessrequest.Event{receipt, answer}, accessrequest.StatusAnswered,
			"without an identity check (policy §29)"},
		{"a second receipt", []accessrequest.Event{receipt, accessrequesttest.Received(id, 6, received.Add(24*time.Hour)), check},
			accessrequest.StatusOpen, "a second receipt, of 2026-03-03: ignored"},
		{"a check dated before the receipt", []accessrequest.Event{receipt,
			accessrequesttest.IdentityChecked(id, 2, received.Add(-48*time.Hour), subject)}, accessrequest.StatusOpen,
			"identity_checked of 2026-02-28 is dated before the receipt of 2026-03-02"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := fold(t, tc.events...)
			if r.Status != tc.status || !r.Received.Equal(received) {
				t.Errorf("status %s, received %s: want %s, %s", r.Status, r.Received, tc.status, received)
			}
			if len(r.Problems) != 1 || r.Problems[0] != tc.problem && !strings.Contains(r.Problems[0], tc.problem) {
				t.Errorf("problems %q, want one: %q", r.Problems, tc.problem)
			}
		})
	}
}

func TestFoldFails(t *testing.T) {
	received := at(t, 2026, 3, 2, 9, 30)
	r, err := accessrequest.Fold([]accessrequest.Event{
		accessrequesttest.IdentityChecked(id, 2, received, subject),
		accessrequesttest.Answered(id, 3, received.Add(time.Hour)),
	})
	if !errors.Is(err, accessrequest.ErrNotReceived) || r.ID != id || r.Status != "" {
		t.Errorf("without a receipt: %+v, %v; want the id alone and ErrNotReceived", r, err)
	}
	if _, err := accessrequest.Fold([]accessrequest.Event{
		accessrequesttest.Received(id, 1, received),
		accessrequesttest.Answered(accessrequesttest.RequestID(2), 3, received.Add(time.Hour)),
	}); err == nil || errors.Is(err, accessrequest.ErrNotReceived) {
		t.Errorf("events of two requests: %v, want an error", err)
	}
	if _, err := accessrequest.Fold(nil); err == nil {
		t.Error("no events: want an error")
	}
}

// TestDaysLeftAcrossDST: days left are Riga calendar days, whatever the
// clock does: the night clocks go forward has 23 hours and the night they
// go back 25, and each is one day.
func TestDaysLeftAcrossDST(t *testing.T) {
	for _, tc := range []struct {
		name     string
		received time.Time
		now      time.Time
		left     int
		overdue  bool
	}{
		// Received 2 March: due Thursday 2 April. Clocks go forward at 03:00
		// on Sunday 29 March.
		{"the night before spring", at(t, 2026, 3, 2, 9, 0), time.Date(2026, 3, 28, 21, 59, 0, 0, time.UTC), 5, false},
		{"spring, just after midnight", at(t, 2026, 3, 2, 9, 0), time.Date(2026, 3, 28, 22, 30, 0, 0, time.UTC), 4, false},
		{"spring, a day later in 23 hours", at(t, 2026, 3, 2, 9, 0), time.Date(2026, 3, 29, 21, 30, 0, 0, time.UTC), 3, false},
		// Received 28 September: due Wednesday 28 October. Clocks go back at
		// 04:00 on Sunday 25 October.
		{"autumn, just after midnight", at(t, 2026, 9, 28, 9, 0), time.Date(2026, 10, 24, 21, 30, 0, 0, time.UTC), 3, false},
		{"autumn, a day later in 25 hours", at(t, 2026, 9, 28, 9, 0), time.Date(2026, 10, 25, 22, 30, 0, 0, time.UTC), 2, false},
		{"the last minute of the last day", at(t, 2026, 9, 28, 9, 0), at(t, 2026, 10, 28, 23, 59), 0, false},
		{"the first minute after", at(t, 2026, 9, 28, 9, 0), at(t, 2026, 10, 29, 0, 0), -1, true},
		{"a week late", at(t, 2026, 9, 28, 9, 0), at(t, 2026, 11, 4, 12, 0), -7, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := fold(t, accessrequesttest.Received(id, 1, tc.received))
			if got := r.DaysLeft(tc.now); got != tc.left {
				t.Errorf("DaysLeft(%s) = %d, want %d (due %s)", tc.now, got, tc.left, r.Due())
			}
			if got := r.Overdue(tc.now); got != tc.overdue {
				t.Errorf("Overdue(%s) = %v, want %v", tc.now, got, tc.overdue)
			}
		})
	}
}

// TestOverdueClosed: a closed request missed its deadline if it was closed
// after it; a refusal's deadline is the first month even when extended.
func TestOverdueClosed(t *testing.T) {
	received := at(t, 2026, 1, 31, 10, 0) // first month to 2 March, extended to 31 March
	extension := accessrequesttest.Extended(id, 2, received.Add(24*time.Hour), 1, received.Add(24*time.Hour))
	later := at(t, 2027, 1, 1, 0, 0)
	for _, tc := range []struct {
		name    string
		closing accessrequest.Event
		overdue bool
	}{
		{"answered on the extended deadline", accessrequesttest.Answered(id, 3, at(t, 2026, 3, 31, 23, 0)), false},
		{"answered the day after", accessrequesttest.Answered(id, 3, at(t, 2026, 4, 1, 8, 0)), true},
		{"refused within the first month", accessrequesttest.Refused(id, 3, at(t, 2026, 3, 2, 16, 0)), false},
		{"refused in the extension", accessrequesttest.Refused(id, 3, at(t, 2026, 3, 3, 9, 0)), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			check := accessrequesttest.IdentityChecked(id, 4, received.Add(time.Hour), subject)
			r := fold(t, accessrequesttest.Received(id, 1, received), check, extension, tc.closing)
			if r.Status == accessrequest.StatusOpen {
				t.Fatal("not closed")
			}
			if got := r.Overdue(later); got != tc.overdue {
				t.Errorf("Overdue = %v, want %v", got, tc.overdue)
			}
		})
	}
}
