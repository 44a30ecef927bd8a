package activity

import (
	"context"
	"errors"
	"slices"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/internal/decimalx"
	"github.com/kexie/techbroker/internal/textnorm"
)

// TrainingResult says what RecordTraining did.
type TrainingResult struct {
	// Recorded are the roster entries that got the training record.
	Recorded []string
	// Already are roster entries that had it already.
	Already []string
	// NotStaff are attendees on no broker's roster (nothing recorded).
	NotStaff []string
}

// RecordTraining records attendance at a training activity (培训) on the
// technology managers' roster (broker.Staff): every attendee (a principal
// ID, who must be registered for the activity) gets a broker.TrainingRecord
// with the activity's title, its start and hours on each of their roster
// entries, in one transaction, with a "training" event on each entry.
// Recording twice changes nothing. Organizers of the activity only; the
// activity must be of kind Training and hours positive with at most two
// decimal places (broker.ErrInvalid, naming activity.kind, hours or
// attendees[i]).
func (pl *Platform) RecordTraining(ctx context.Context, p broker.Principal, activityID string, attendees []string, hours decimal.Decimal) (TrainingResult, error) {
	var res TrainingResult
	err := pl.sys.Update(ctx, func(tx *broker.Tx) error {
		res = TrainingResult{}
		a, err := broker.Read[Activity](tx, activityID)
		if err != nil {
			return err
		}
		on := broker.TargetOf(a)
		if !organizes(p, a) {
			return broker.Forbidden("record training", KindActivity, activityID, "organizers only")
		}
		c := &broker.Check{}
		if a.Kind != Training {
			c.Add("activity.kind", "oneof", string(Training), string(a.Kind))
		}
		if !decimalx.Sane(hours, 2) || hours.Sign() <= 0 {
			c.Add("hours", "min", "0.01", decimalx.Short(hours))
		}
		who := make([]string, len(attendees))
		for i, x := range attendees {
			who[i] = textnorm.Text(x)
			if _, err := broker.Read[Registration](tx, registrationID(a.ID, who[i])); errors.Is(err, broker.ErrNotFound) {
				c.Add("attendees["+strconv.Itoa(i)+"]", "ref", "", x)
			} else if err != nil {
				return err
			}
		}
		if err := c.Err(broker.KindStaff); err != nil {
			return err
		}
		roster, err := broker.Find[broker.Staff](tx, reader, broker.ListOptions{})
		if err != nil {
			return err
		}
		rec := broker.TrainingRecord{Activity: a.ID, Title: a.Title, Date: a.Start, Hours: hours}
		for i, person := range who {
			if slices.Contains(who[:i], person) {
				continue
			}
			found := false
			for _, st := range roster {
				if st.Person != person {
					continue
				}
				found = true
				if slices.ContainsFunc(st.Training, func(t broker.TrainingRecord) bool { return t.Activity == a.ID }) {
					res.Already = append(res.Already, st.ID)
					continue
				}
				st.Training = append(slices.Clone(st.Training), rec)
				if _, err := broker.Replace(tx, p, st, broker.Via(broker.ActOperate, on), broker.Logged("training", rec)); err != nil {
					return err
				}
				res.Recorded = append(res.Recorded, st.ID)
			}
			if !found {
				res.NotStaff = append(res.NotStaff, person)
			}
		}
		return nil
	})
	if err != nil {
		return TrainingResult{}, broker.Wrap("record training", KindActivity, activityID, err)
	}
	return res, nil
}
