package httpapi_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/httpapi"
)

// issuer is an OpenID provider made in the test: an RSA key and its JWKS
// served on loopback.
type issuer struct {
	key *rsa.PrivateKey
	kid string
	srv *httptest.Server
	url string
	aud string
}

func newIssuer(t *testing.T) *issuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	must(t, err)
	is := &issuer{key: key, kid: "k1", aud: "techbroker-api"}
	is.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: is.kid, Algorithm: "RS256", Use: "sig"}}}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(is.srv.Close)
	is.url = is.srv.URL
	return is
}

// token signs claims with key (the issuer's unless another is given).
func (is *issuer) token(t *testing.T, key *rsa.PrivateKey, claims map[string]any) string {
	t.Helper()
	if key == nil {
		key = is.key
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", is.kid))
	must(t, err)
	tok, err := jwt.Signed(sig).Claims(claims).Serialize()
	must(t, err)
	return tok
}

func (is *issuer) claims(sub, role string, extra map[string]any) map[string]any {
	now := time.Now()
	c := map[string]any{"iss": is.url, "aud": is.aud, "sub": sub, "role": role,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	for k, v := range extra {
		c[k] = v
	}
	return c
}

func TestOIDC(t *testing.T) {
	is := newIssuer(t)
	oidc, err := httpapi.NewOIDC(t.Context(), httpapi.OIDCOptions{Issuer: is.url, Audience: is.aud, JWKSURL: is.url + "/jwks"})
	must(t, err)
	var keys *httpapi.APIKeys
	e := newEnv(t, storeKinds["memstore"](t), &httpapi.Options{Authenticate: func(r *http.Request) (broker.Principal, error) {
		return httpapi.Chain(keys.Authenticate, oidc.Authenticate)(r)
	}})
	keys = e.keys

	// A members-only demand of the enterprise.
	var d broker.Demand
	e.do(req{method: "POST", path: "/v1/demands", as: enterprise, body: demand("会员需求", broker.Confidential)}).want(t, 201).json(t, &d)
	get := func(tok string) resp {
		return e.do(req{method: "GET", path: "/v1/demands/" + d.ID, header: map[string]string{"Authorization": "Bearer " + tok}})
	}
	// The enterprise's token reads it: claims map to role and org.
	get(is.token(t, nil, is.claims("ent-7", "enterprise", map[string]any{"org": enterprise.Org}))).want(t, 200)
	// Another enterprise's does not (404, as for anyone who may not see it).
	get(is.token(t, nil, is.claims("ent-8", "enterprise", map[string]any{"org": "别的公司"}))).want(t, 404)
	// Forged: signed with a key the issuer does not publish.
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	must(t, err)
	get(is.token(t, other, is.claims("ent-7", "enterprise", map[string]any{"org": enterprise.Org}))).want(t, 401)
	// Tampered: the payload changed after signing.
	tok := is.token(t, nil, is.claims("ent-8", "enterprise", map[string]any{"org": "别的公司"}))
	parts := strings.Split(tok, ".")
	payload, _ := json.Marshal(is.claims("ent-8", "platform_admin", nil))
	parts[1] = base64.RawURLEncoding.EncodeToString(payload)
	get(strings.Join(parts, ".")).want(t, 401)
	// Unsigned (alg none).
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
	get(none).want(t, 401)
	// Expired, another audience, another issuer, an unknown role.
	get(is.token(t, nil, is.claims("ent-7", "enterprise", map[string]any{"org": enterprise.Org, "exp": time.Now().Add(-time.Minute).Unix()}))).want(t, 401)
	get(is.token(t, nil, is.claims("ent-7", "enterprise", map[string]any{"org": enterprise.Org, "aud": "another-api"}))).want(t, 401)
	get(is.token(t, nil, is.claims("ent-7", "enterprise", map[string]any{"org": enterprise.Org, "iss": "https://evil.example"}))).want(t, 401)
	get(is.token(t, nil, is.claims("ent-7", "emperor", map[string]any{"org": enterprise.Org}))).want(t, 401)
	get("not-a-jwt").want(t, 401)
	// API keys still work beside tokens, and no credentials is anonymous.
	e.do(req{method: "GET", path: "/v1/demands/" + d.ID, as: enterprise}).want(t, 200)
	e.do(req{method: "GET", path: "/v1/demands/" + d.ID}).want(t, 404)
	// A 401 says nothing of why.
	p := get("not-a-jwt").problem(t)
	if strings.Contains(p.Detail, "jwt") || strings.Contains(p.Detail, "token") {
		t.Errorf("a 401 explains the refusal: %q", p.Detail)
	}
}

func TestOIDCRoleMap(t *testing.T) {
	is := newIssuer(t)
	a, err := httpapi.NewOIDC(t.Context(), httpapi.OIDCOptions{Issuer: is.url, Audience: is.aud, JWKSURL: is.url + "/jwks",
		RoleClaim: "groups", Roles: map[string]broker.Role{"tb-staff": broker.RoleBrokerStaff}, BrokerClaim: "desk"})
	must(t, err)
	p, err := a.Principal(t.Context(), is.token(t, nil, is.claims("u1", "", map[string]any{"groups": "tb-staff", "desk": "marine-tech"})))
	must(t, err)
	if want := broker.BrokerStaff("u1", "marine-tech"); p != want {
		t.Errorf("principal %+v, want %+v", p, want)
	}
	if _, err := a.Principal(t.Context(), is.token(t, nil, is.claims("u1", "broker_staff", nil))); err == nil {
		t.Error("a role outside the map was accepted")
	}
}
