package probe

import (
	"context"
	"net/netip"
)

// probeTCP passes when a TCP connection to ap is established within the TCP
// timeout. It sends nothing and closes the connection at once.
func (p *EndpointProber) probeTCP(ctx context.Context, ap netip.AddrPort, r *Result) {
	conn := dial(ctx, &p.tcpDialer, ap, r)
	if conn == nil {
		return
	}
	_ = conn.Close() // the check is the connect; a close error changes nothing
	r.Success = true
	r.Reason = ReasonTCPSuccess
}
