package httpapi

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/kexie/techbroker/broker"
)

// ErrNoCredentials is returned by an authenticator for a request that
// carries no credentials of its kind; Chain then asks the next one, and
// the handler treats a request that none recognizes as anonymous.
var ErrNoCredentials = errors.New("httpapi: no credentials")

// ErrBadCredentials is matched by the errors of credentials an
// authenticator refuses: an unknown, revoked or expired key, a token with
// a bad signature, issuer, audience or time, or unknown claims.
var ErrBadCredentials = errors.New("httpapi: credentials refused")

// Chain returns an Authenticate that asks each authenticator in turn: the
// first that recognizes the request's credentials decides (a refusal is
// 401); a request none recognizes is anonymous.
func Chain(auths ...func(*http.Request) (broker.Principal, error)) func(*http.Request) (broker.Principal, error) {
	return func(r *http.Request) (broker.Principal, error) {
		for _, a := range auths {
			p, err := a(r)
			if errors.Is(err, ErrNoCredentials) {
				continue
			}
			return p, err
		}
		return broker.Anonymous(), nil
	}
}

// bearer returns the token of an "Authorization: Bearer …" header.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// ---- API keys ----

// KindAPIKey is the record kind of a stored API key.
const KindAPIKey broker.Kind = "http_api_key"

// keyPrefix starts every API key, so that Chain tells keys from JWTs.
const keyPrefix = "tbk_"

// APIKey is the stored form of an API key: the principal it stands for
// and the SHA-256 of the key (its record ID is derived from that hash;
// the key itself is never stored). A principal has one key at a time:
// issuing a new one replaces the old. It is a confidential process record:
// only platform admins read and write it.
type APIKey struct {
	broker.Meta
	Hash      string      `json:"hash" validate:"required,len=64,hexadecimal"`
	Principal string      `json:"principal" validate:"required,max=64"`
	Role      broker.Role `json:"role" validate:"required,oneof=platform_admin broker_staff society_admin expert enterprise institution investor oversight exchange_operator"`
	Broker    string      `json:"principal_broker,omitempty" validate:"max=64"`
	Org       string      `json:"principal_org,omitempty" validate:"max=200" org:"-"`
	Name      string      `json:"name,omitempty" validate:"max=200"`
	Expires   time.Time   `json:"expires,omitzero"`
}

// RecordKind is KindAPIKey.
func (APIKey) RecordKind() broker.Kind { return KindAPIKey }

// DedupKey is the principal: one key per principal.
func (k APIKey) DedupKey() string { return k.Principal }

// Normalized makes the key confidential.
func (k APIKey) Normalized() APIKey {
	k.Visibility = broker.Confidential
	return k
}

// APIKeys issues, revokes and checks API keys stored through the System.
type APIKeys struct {
	sys *broker.System
	lib *broker.Library[APIKey]
	svc broker.Principal
	now func() time.Time
}

// NewAPIKeys returns the API keys of sys. Checking a key reads its record
// as the service principal svc, a platform admin (zero:
// broker.PlatformAdmin("httpapi")).
func NewAPIKeys(sys *broker.System, svc broker.Principal) *APIKeys {
	if svc.Role == "" {
		svc = broker.PlatformAdmin("httpapi")
	}
	return &APIKeys{sys: sys, lib: broker.NewLibrary[APIKey](sys), svc: svc, now: sys.Now}
}

// KeyOptions describe a key to issue.
type KeyOptions struct {
	Name    string    // what the key is for
	Expires time.Time // zero: never
}

func keyID(hash string) string { return "key-" + hash[:40] }

func hashKey(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])
}

// Issue creates a key for the principal `for` and returns it; only its
// hash is stored, so this is the one time it is seen. A key the principal
// had is revoked in the same transaction. by must be allowed to write
// process records (a platform admin).
func (k *APIKeys) Issue(ctx context.Context, by, to broker.Principal, o KeyOptions) (string, APIKey, error) {
	if to.ID == "" || to.Role == broker.RoleAnonymous {
		return "", APIKey{}, broker.Wrap("issue", KindAPIKey, "", &broker.ValidationError{Kind: KindAPIKey,
			Fields: []broker.FieldError{{Field: "principal", Code: "required"}}})
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", APIKey{}, err
	}
	key := keyPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	hash := hashKey(key)
	rec := APIKey{Meta: broker.Meta{ID: keyID(hash)}, Hash: hash, Principal: to.ID, Role: to.Role, Broker: to.Broker, Org: to.Org,
		Name: o.Name, Expires: o.Expires}
	var out APIKey
	err := k.sys.Update(ctx, func(tx *broker.Tx) error {
		old, err := broker.Find[APIKey](tx, by, broker.ListOptions{Key: to.ID})
		if err != nil {
			return err
		}
		for _, o := range old {
			if err := broker.Delete[APIKey](tx, by, o.ID, o.Version, broker.Logged("revoked", nil)); err != nil {
				return err
			}
		}
		out, err = broker.Create(tx, by, rec, broker.Logged("issued", nil))
		return err
	})
	if err != nil {
		return "", APIKey{}, broker.Wrap("issue", KindAPIKey, "", err)
	}
	return key, out, nil
}

// Revoke deletes the principal's key, if it has one; ErrNotFound if not.
func (k *APIKeys) Revoke(ctx context.Context, by broker.Principal, principalID string) error {
	return broker.Wrap("revoke", KindAPIKey, "", k.sys.Update(ctx, func(tx *broker.Tx) error {
		old, err := broker.Find[APIKey](tx, by, broker.ListOptions{Key: principalID})
		if err != nil {
			return err
		}
		if len(old) == 0 {
			return broker.ErrNotFound
		}
		for _, o := range old {
			if err := broker.Delete[APIKey](tx, by, o.ID, o.Version, broker.Logged("revoked", nil)); err != nil {
				return err
			}
		}
		return nil
	}))
}

// Principal returns the principal of a key: ErrBadCredentials for a key
// that is unknown, revoked or expired.
func (k *APIKeys) Principal(ctx context.Context, key string) (broker.Principal, error) {
	if !strings.HasPrefix(key, keyPrefix) || len(key) > 100 {
		return broker.Principal{}, fmt.Errorf("%w: not an API key", ErrBadCredentials)
	}
	hash := hashKey(key)
	rec, err := k.lib.Get(ctx, k.svc, keyID(hash))
	if errors.Is(err, broker.ErrNotFound) {
		return broker.Principal{}, fmt.Errorf("%w: unknown or revoked API key", ErrBadCredentials)
	}
	if err != nil {
		return broker.Principal{}, err
	}
	if subtle.ConstantTimeCompare([]byte(rec.Hash), []byte(hash)) != 1 {
		return broker.Principal{}, fmt.Errorf("%w: unknown or revoked API key", ErrBadCredentials)
	}
	if !rec.Expires.IsZero() && !k.now().Before(rec.Expires) {
		return broker.Principal{}, fmt.Errorf("%w: the API key expired at %s", ErrBadCredentials, rec.Expires.Format(time.RFC3339))
	}
	return broker.Principal{ID: rec.Principal, Role: rec.Role, Broker: rec.Broker, Org: rec.Org}, nil
}

// Authenticate reads an API key from "Authorization: Bearer tbk_…" or
// X-API-Key. A bearer token that is not an API key is not its business
// (ErrNoCredentials), so that Chain can pass it to OIDC.
func (k *APIKeys) Authenticate(r *http.Request) (broker.Principal, error) {
	key := r.Header.Get("X-API-Key")
	if key == "" {
		tok, ok := bearer(r)
		if !ok || !strings.HasPrefix(tok, keyPrefix) {
			return broker.Principal{}, ErrNoCredentials
		}
		key = tok
	}
	return k.Principal(r.Context(), key)
}

// ---- OpenID Connect / JWT ----

// OIDCOptions configure bearer tokens verified against a JWKS.
type OIDCOptions struct {
	// Issuer is the tokens' iss; Audience their aud (the API's client ID).
	Issuer   string
	Audience string
	// JWKSURL is where the issuer publishes its keys (fetched when a token
	// names a key not seen yet); KeySet, if set, is used instead (for
	// example oidc.StaticKeySet with keys known in advance).
	JWKSURL string
	KeySet  oidc.KeySet
	// Algorithms accepted; nil means RS256 and ES256.
	Algorithms []string
	// RoleClaim, BrokerClaim and OrgClaim name the claims mapped to the
	// principal; empty means "role", "broker" and "org". The subject (sub)
	// is the principal's ID.
	RoleClaim, BrokerClaim, OrgClaim string
	// Roles maps claim values to roles; nil accepts the role names
	// themselves ("platform_admin", "broker_staff", …). A token whose role
	// is not mapped is refused.
	Roles map[string]broker.Role
	// Now is the clock for expiry; nil means time.Now.
	Now func() time.Time
}

// OIDC verifies OpenID Connect / JWT bearer tokens (with
// github.com/coreos/go-oidc) and maps their claims to a principal.
type OIDC struct {
	v *oidc.IDTokenVerifier
	o OIDCOptions
}

// NewOIDC returns the verifier. ctx is used to fetch the JWKS on demand
// and must outlive the verifier.
func NewOIDC(ctx context.Context, o OIDCOptions) (*OIDC, error) {
	if o.Issuer == "" || o.Audience == "" {
		return nil, errors.New("httpapi: OIDC needs an issuer and an audience")
	}
	ks := o.KeySet
	if ks == nil {
		if o.JWKSURL == "" {
			return nil, errors.New("httpapi: OIDC needs a JWKS URL or a key set")
		}
		ks = oidc.NewRemoteKeySet(ctx, o.JWKSURL)
	}
	if o.Algorithms == nil {
		o.Algorithms = []string{oidc.RS256, oidc.ES256}
	}
	if o.RoleClaim == "" {
		o.RoleClaim = "role"
	}
	if o.BrokerClaim == "" {
		o.BrokerClaim = "broker"
	}
	if o.OrgClaim == "" {
		o.OrgClaim = "org"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	cfg := &oidc.Config{ClientID: o.Audience, SupportedSigningAlgs: o.Algorithms, Now: o.Now}
	return &OIDC{v: oidc.NewVerifier(o.Issuer, ks, cfg), o: o}, nil
}

// Principal verifies a token and returns its principal.
func (a *OIDC) Principal(ctx context.Context, token string) (broker.Principal, error) {
	tok, err := a.v.Verify(ctx, token)
	if err != nil {
		return broker.Principal{}, fmt.Errorf("%w: %v", ErrBadCredentials, err)
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		return broker.Principal{}, fmt.Errorf("%w: claims: %v", ErrBadCredentials, err)
	}
	str := func(name string) string { s, _ := claims[name].(string); return s }
	roleName := str(a.o.RoleClaim)
	var role broker.Role
	if a.o.Roles != nil {
		role = a.o.Roles[roleName]
	} else {
		for _, r := range broker.Roles() {
			if r != broker.RoleAnonymous && string(r) == roleName {
				role = r
			}
		}
	}
	if role == "" || tok.Subject == "" {
		return broker.Principal{}, fmt.Errorf("%w: the token has no subject or no known role (%q)", ErrBadCredentials, roleName)
	}
	p := broker.Principal{ID: tok.Subject, Role: role, Broker: str(a.o.BrokerClaim), Org: str(a.o.OrgClaim)}
	if len(p.ID) > 64 || len(p.Broker) > 64 || len(p.Org) > 200 {
		return broker.Principal{}, fmt.Errorf("%w: a claim is too long", ErrBadCredentials)
	}
	return p, nil
}

// Authenticate verifies "Authorization: Bearer <JWT>"; a request without
// a bearer token, or with an API key, is not its business
// (ErrNoCredentials).
func (a *OIDC) Authenticate(r *http.Request) (broker.Principal, error) {
	tok, ok := bearer(r)
	if !ok || strings.HasPrefix(tok, keyPrefix) {
		return broker.Principal{}, ErrNoCredentials
	}
	return a.Principal(r.Context(), tok)
}
