package serverconf

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/emberprof/ember/internal/envconfig"
)

// Names are what the user calls the explicit settings (Config fields,
// flags), for errors about a value that came from one of them. A name may
// be empty for a setting the caller never sets explicitly.
type Names struct {
	Address, AuthToken, BasicAuthUser, BasicAuthPassword, TenantID, HTTPHeaders string
}

// ConfigNames are the names of ember.Config's fields, which upstream/remote's
// Config shares.
var ConfigNames = Names{
	Address: "ServerAddress", AuthToken: "AuthToken", BasicAuthUser: "BasicAuthUser",
	BasicAuthPassword: "BasicAuthPassword", TenantID: "TenantID", HTTPHeaders: "HTTPHeaders",
}

// Server holds what a connection to a Pyroscope server needs.
type Server struct {
	Address           string
	AuthToken         string
	BasicAuthUser     string
	BasicAuthPassword string
	TenantID          string
	HTTPHeaders       map[string]string

	// Where each value came from, for Check; set by Resolve.
	address, authToken, basicAuthUser, basicAuthPassword, tenantID string
	headersFrom                                                    map[string]string // header name to source
}

// Resolve completes explicit from the environment, as ember.Config is
// completed: an empty field takes its variable's value, the ad hoc
// address replaces any other, and the environment's headers are added
// under explicit's own, which win. The result remembers where each value
// came from, named by names or by the variable, for Check.
func Resolve(explicit Server, names Names, env envconfig.Values) Server {
	s := Server{headersFrom: map[string]string{}}
	for _, f := range []struct {
		dst, from                *string
		name, value, variable, v string
	}{
		{&s.Address, &s.address, names.Address, explicit.Address, envconfig.ServerAddress, env.ServerAddress},
		{&s.AuthToken, &s.authToken, names.AuthToken, explicit.AuthToken, envconfig.AuthToken, env.AuthToken},
		{&s.BasicAuthUser, &s.basicAuthUser, names.BasicAuthUser, explicit.BasicAuthUser, envconfig.BasicAuthUser, env.BasicAuthUser},
		{&s.BasicAuthPassword, &s.basicAuthPassword, names.BasicAuthPassword, explicit.BasicAuthPassword, envconfig.BasicAuthPassword, env.BasicAuthPassword},
		{&s.TenantID, &s.tenantID, names.TenantID, explicit.TenantID, envconfig.TenantID, env.TenantID},
	} {
		*f.dst, *f.from = pick(f.name, f.value, f.variable, f.v)
	}
	if env.AdhocAddress != "" {
		s.Address, s.address = env.AdhocAddress, envconfig.AdhocServerAddress
	}
	for k := range env.HTTPHeaders {
		s.headersFrom[k] = envconfig.HTTPHeaders
	}
	for k := range explicit.HTTPHeaders {
		s.headersFrom[k] = names.HTTPHeaders
	}
	if len(env.HTTPHeaders) > 0 || len(explicit.HTTPHeaders) > 0 {
		s.HTTPHeaders = maps.Clone(env.HTTPHeaders)
		if s.HTTPHeaders == nil {
			s.HTTPHeaders = make(map[string]string, len(explicit.HTTPHeaders))
		}
		maps.Copy(s.HTTPHeaders, explicit.HTTPHeaders)
	}
	return s
}

// Check refuses what no request to the server could carry: an empty
// address, or one that is not an http or https URL with a host, or has a
// port out of range, a query or a fragment; a control character in a
// credential, the tenant or a header value; a header name that is not an
// HTTP token; ':' in the basic auth user. Errors name the setting as
// Resolve recorded it, show an address without its password, and never
// show a secret.
func (s Server) Check() error {
	if err := (setting{from: s.address, value: s.Address}).checkAddress(); err != nil {
		return err
	}
	user := setting{from: s.basicAuthUser, value: s.BasicAuthUser}
	for _, v := range []setting{
		{from: s.authToken, value: s.AuthToken, secret: true},
		user,
		{from: s.basicAuthPassword, value: s.BasicAuthPassword, secret: true},
		{from: s.tenantID, value: s.TenantID},
	} {
		if err := v.checkHeaderValue(); err != nil {
			return err
		}
	}
	if strings.Contains(s.BasicAuthUser, ":") {
		return user.errorf("a basic auth user cannot hold ':' (the password follows the first one)")
	}
	for _, k := range slices.Sorted(maps.Keys(s.HTTPHeaders)) {
		from := s.headersFrom[k]
		if err := checkHeaderName(from, k); err != nil {
			return err
		}
		v := setting{from: fmt.Sprintf("%s[%q]", from, k), value: s.HTTPHeaders[k], secret: true}
		if err := v.checkHeaderValue(); err != nil {
			return err
		}
	}
	return nil
}
