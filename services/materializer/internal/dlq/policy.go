package dlq

import (
	"errors"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/deadletter"
	"github.com/balticom/lineage/pkg/wire"
)

// Check decodes a record's value into v and validates it: the one policy
// of every loop of the materializer (lineage events, identity links,
// access requests, subject facts, incidents) for a record it cannot use.
// It returns:
//   - "" and nil: v is to be stored;
//   - a reason and the error: the record is poison, to be dead-lettered
//     (Letter) with the reason of a *wire.PoisonError, or
//     deadletter.ReasonInvalid for a record that decoded but breaks a rule;
//   - "" and the error: decoding failed for a reason that may pass (a
//     schema registry that does not answer; wire says every error it
//     returns that is not a *wire.PoisonError is such): retry the record,
//     dead-lettering it would lose a good one.
func Check[T any](value []byte, v *T, decode func([]byte, *T) error, validate func(*T) error) (reason string, err error) {
	if err := decode(value, v); err != nil {
		// Declared here, not for every record: errors.As makes it
		// escape to the heap.
		var pe *wire.PoisonError
		if errors.As(err, &pe) {
			return pe.Reason, err
		}
		return "", err
	}
	if err := validate(v); err != nil {
		return deadletter.ReasonInvalid, err
	}
	return "", nil
}

// Letter is the dead letter of r, for the dead-letter topic: r's key,
// value and headers, and the headers that say why (reason, and cause's
// text, which must not carry personal data), where r was read and by
// which group, and when.
func Letter(topic string, r *kgo.Record, group, reason string, cause error, at time.Time) *kgo.Record {
	return deadletter.Record(topic, r, deadletter.Info{Reason: reason, Error: cause.Error(), Group: group, FailedAt: at})
}
