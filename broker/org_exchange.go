package broker

import (
	"context"
	"time"

	"github.com/kexie/techbroker/broker/driver"
)

// This file is the seam between the organization registry and incubation
// on one side and the exchange (listings and deals) on the other.

// exchangeOrgReferrers returns the referrers of the exchange's kinds
// (listings' OwnerID, deals' SellerID and BuyerID).
func exchangeOrgReferrers() []orgReferrer { return nil }

// dealDateTx returns the date of the deal behind a case: ok is false when
// it cannot be found, and the caller falls back to the time the case
// entered Traded.
func (s *System) dealDateTx(ctx context.Context, tx driver.Tx, c Case) (time.Time, bool, error) {
	return time.Time{}, false, nil
}
