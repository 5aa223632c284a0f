package scenario

import (
	"time"

	"github.com/balticom/lineage/pkg/lineage"
)

// Citations below use the policy digest's style: "§5.1" is a point of the
// 2025 policy, "annex 1, cat. n" a data category, "2018 [7] 7.1.3" a point
// of the 2018 policy. The policy never says which categories a purpose
// uses, so every category list is ours. The few pairings the policy does
// state (§41 invoices on contract, §7.7 call recordings, §33 usage analysis
// on consent, §5.5 retained data under legal obligations, §17.1 bank and
// distribution operator, §13 installers and invoice senders as processors,
// §18 third-country processors) are cited as stated; every other link
// between an operation, its purpose, its basis and its recipient is ours,
// and the comment says so.
//
// Who the event names. CRM, billing, the portal, the contact centre and the
// processors abroad work on the customer's account and know the customer
// id. The systems that see the service rather than the account know only
// what the service is delivered to (Step.Identify): CDR mediation the
// phone number of a call (cat. 31 lists CDRs), or the IP address of an
// assignment; the TV platform the set-top box (cat. 32 lists the device
// ID) or, for a purchase charged to it, the contract; the network
// inventory the terminal's MAC address (cat. 9) or the connection's IP
// address (2018 [4] 4.1.3 lists IP and MAC addresses). These choices are
// ours; the policy does not say how each system keys its records. The
// events of such steps carry the keyed identifier, and the identity links
// CRM states (LinkPlan) tell the tracker whose it was at the time.
//
// Where the data came from (Step.DataSource, the attribute data_source) is
// ours for every step: §16 lists the sources but never says which data come
// from which. A step without one is a system that does not say.

// role is a person, by role and never by name; svc is a service account;
// sys is a source system acting by itself.
func role(id string) lineage.Actor { return lineage.Actor{Type: lineage.EmployeeRole, ID: id} }
func svc(id string) lineage.Actor  { return lineage.Actor{Type: lineage.ServiceAccount, ID: id} }
func sys(id string) lineage.Actor  { return lineage.Actor{Type: lineage.System, ID: id} }

// cats lists data categories (annex 1 codes).
func cats(codes ...string) []string { return codes }

// Catalogue returns the simulated operations. The weights make accesses the
// bulk of the traffic (about 83 % of events; transfers about 10 %,
// processor hand-offs about 6 %), so that a customer followed over months
// sees each kind. Each call returns fresh values that the caller owns.
func Catalogue() []Scenario {
	r := recipients()
	staff := teams()
	return []Scenario{
		// --- CRM -------------------------------------------------------

		// A call-centre agent opens the customer card while serving a
		// caller. §5.1 (customer service); basis §6.1 (contract), ours.
		{
			Name: "crm.card_open", Weight: 300,
			Steps: []Step{{
				Kind: lineage.Access, SourceSystem: "crm", Actor: role("call_centre_agent"), Staff: staff.callCentre,
				Categories: cats("identification", "contact", "customer", "service"),
				Purpose:    "service_provision", LegalBasis: "contract",
				DataSource: "customer",
				Attributes: map[string]string{"channel": "phone"},
				RecordLag:  500 * time.Millisecond,
			}},
		},
		// A contract is signed and the installation ordered from a
		// partner. §5.1 (prepare and conclude a contract, install
		// services), §6.1 (contract: conclude at the customer's request,
		// perform); installation partners are processors (§13, which names
		// installation; §14).
		{
			Name: "crm.contract_signed", Weight: 12,
			Steps: []Step{
				{
					Kind: lineage.Access, SourceSystem: "crm", Actor: role("sales_agent"), Staff: staff.sales,
					Categories: cats("identification", "contact", "service_contract", "service"),
					Purpose:    "service_provision", LegalBasis: "contract",
					DataSource: "customer",
					Attributes: map[string]string{"channel": "office"},
					RecordLag:  500 * time.Millisecond,
				},
				{
					Kind: lineage.ProcessorHandoff, SourceSystem: "crm", Actor: svc("svc-crm-install-orders"),
					Categories: cats("contact", "location", "service"),
					Purpose:    "service_provision", LegalBasis: "contract",
					Recipients: r.installer,
					DataSource: "customer",
					Attributes: map[string]string{"order_type": "installation"},
					RecordLag:  2 * time.Second,
				},
			},
		},
		// A complaint is handled. §5.1 (applications and complaints); the
		// basis is ours: §7.6 (keep customers' applications and notes on
		// them).
		{
			Name: "crm.complaint", Weight: 25,
			Steps: []Step{{
				Kind: lineage.Access, SourceSystem: "crm", Actor: role("complaints_specialist"), Staff: staff.complaints,
				Categories: cats("customer", "complaints", "crm_activity", "communication"),
				Purpose:    "service_provision", LegalBasis: "legitimate_interest", Interest: "7.6",
				DataSource: "customer",
				RecordLag:  time.Second,
				// The complaint's correspondence, dated by the letter
				// read; that a complaint about the service or the bill
				// is correspondence in §22's scope is ours.
				RetentionFrom: correspondenceAges(),
			}},
		},

		// A business customer (a sole trader, or the board member who signs
		// for a company) is checked in the company register before a
		// contract: does the business exist, may this person sign for it.
		// §16.6 names www.lursoft.lv among the public databases personal
		// data come from; §7.3 (verify the customer's identity before
		// contracting); §5.1 (prepare and conclude a contract). Which
		// customers are businesses is not modelled: any may be (ours).
		{
			Name: "crm.business_check", Weight: 3,
			Steps: []Step{{
				Kind: lineage.Access, SourceSystem: "crm", Actor: role("sales_agent"), Staff: staff.sales,
				Categories: cats("identification", "customer"),
				Purpose:    "service_provision", LegalBasis: "legitimate_interest", Interest: "7.3",
				DataSource: "public_registers",
				Attributes: map[string]string{"register": "company_register"},
				RecordLag:  500 * time.Millisecond,
			}},
		},

		// --- Contact centre and portal (beyond the six core systems) ----

		// A supervisor listens to a recorded call. §7.7 states the pairing
		// (quality control incl. recording conversations); §22 keeps such
		// recordings 6 months, counted from the call, which the event
		// dates. The purpose §5.1 (customer service) is ours.
		{
			Name: "contact_centre.call_review", Weight: 15,
			Steps: []Step{{
				Kind: lineage.Access, SourceSystem: "contact_centre", Actor: role("quality_supervisor"), Staff: staff.quality,
				Categories: cats("call_recordings", "communication"),
				Purpose:    "service_provision", LegalBasis: "legitimate_interest", Interest: "7.7",
				DataSource:    "customer",
				RecordLag:     time.Second,
				RetentionFrom: correspondenceAges(),
			}},
		},
		// The customer logs in to Mans Balticom and sees their account.
		// §25 (data viewable in the portal), §7.12 (administer the
		// customer's account); the purpose §5.1 is ours.
		{
			Name: "portal.login", Weight: 90,
			Steps: []Step{{
				Kind: lineage.Access, SourceSystem: "self_service_portal", Actor: sys("mans-balticom"),
				Categories: cats("self_service", "customer", "service", "billing"),
				Purpose:    "service_provision", LegalBasis: "legitimate_interest", Interest: "7.12",
				DataSource: "customer",
				RecordLag:  100 * time.Millisecond,
			}},
		},

		// --- Billing ---------------------------------------------------

		// The monthly invoice run, delivered as an e-invoice through the
		// customer's internet bank. Billing is in §5.1; §41 states that
		// invoices are sent on the contract basis. The e-invoice provider is
		// named only in 2018 [7] 7.1.3; that it rests on §17.1 now is ours.
		{
			Name: "billing.invoice_einvoice", Weight: 40, Requires: EInvoice,
			Steps: []Step{
				invoiceRun(),
				{
					Kind: lineage.Transfer, SourceSystem: "billing", Actor: svc("svc-billing-einvoice"),
					Categories: cats("billing", "identification", "contact"),
					Purpose:    "service_provision", LegalBasis: "contract",
					Recipients: r.eInvoice,
					DataSource: "operator_systems",
					Attributes: map[string]string{"document": "invoice", "delivery": "e_invoice"},
					RecordLag:  5 * time.Second, RetentionFrom: invoiceDay(),
				},
			},
		},
		// The monthly invoice on paper: printed and enveloped by a
		// processor (§13 names sending invoices as processor work), then
		// handed to the post. §5.1, §41, §6.1. The postal provider is named
		// only in 2018 [7] 7.1.3; that it receives the address as a
		// recipient in its own right (postal law), not as our processor,
		// is ours.
		{
			Name: "billing.invoice_paper", Weight: 25, Excludes: EInvoice,
			Steps: []Step{
				invoiceRun(),
				{
					Kind: lineage.ProcessorHandoff, SourceSystem: "billing", Actor: svc("svc-billing-print"),
					Categories: cats("billing", "identification", "contact"),
					Purpose:    "service_provision", LegalBasis: "contract",
					Recipients: r.printHouse,
					DataSource: "operator_systems",
					Attributes: map[string]string{"document": "invoice", "delivery": "paper"},
					RecordLag:  10 * time.Second, RetentionFrom: invoiceDay(),
				},
				{
					Kind: lineage.Transfer, SourceSystem: "billing", Actor: svc("svc-billing-print"),
					Categories: cats("identification", "contact"),
					Purpose:    "service_provision", LegalBasis: "contract",
					Recipients: r.post,
					DataSource: "operator_systems",
					Attributes: map[string]string{"document": "invoice", "delivery": "paper"},
					RecordLag:  10 * time.Second, RetentionFrom: invoiceDay(),
				},
			},
		},
		// A direct-debit or payment file exchanged with the customer's
		// bank. §17.1 names "bankai norēķinu ietvaros"; §5.1 (billing),
		// §6.1. The payment-file interface is older than the data_source
		// attribute and does not say where its data came from.
		{
			Name: "billing.bank_payment", Weight: 45,
			Steps: []Step{{
				Kind: lineage.Transfer, SourceSystem: "billing", Actor: svc("svc-billing-payments"),
				Categories: cats("billing", "identification"),
				Purpose:    "service_provision", LegalBasis: "contract",
				Recipients: r.bank,
				Attributes: map[string]string{"flow": "direct_debit"},
				RecordLag:  5 * time.Second,
			}},
		},
		// Electricity: meter readings rated for the bill. Cat. 19 lists
		// electricity usage; §5.1 (billing); §6.1, ours. The distribution
		// system operator reads the meter and delivers the readings: a
		// partner as a source (§16.5), ours.
		{
			Name: "billing.electricity_rating", Weight: 30, Requires: Electricity,
			Steps: []Step{{
				Kind: lineage.Access, SourceSystem: "billing", Actor: sys("billing-energy-rating"),
				Categories: cats("service_usage", "terminal_equipment", "billing"),
				Purpose:    "service_provision", LegalBasis: "contract",
				DataSource: "partners",
				RecordLag:  time.Minute,
			}},
		},
		// Electricity: the customer's metering point and contract reported
		// to the distribution system operator. §17.1 names "sadales tīkla
		// operatoram elektroenerģijas pakalpojuma ietvaros"; §5.1, §6.1.
		{
			Name: "billing.electricity_dso", Weight: 15, Requires: Electricity,
			Steps: []Step{{
				Kind: lineage.Transfer, SourceSystem: "billing", Actor: svc("svc-billing-electricity"),
				Categories: cats("identification", "contact", "location", "terminal_equipment", "service"),
				Purpose:    "service_provision", LegalBasis: "contract",
				Recipients: r.dso,
				DataSource: "operator_systems",
				RecordLag:  30 * time.Second,
			}},
		},
		// An overdue debt is reviewed and passed to a debt collector.
		// §5.2 (debt recovery and collection), §7.27 (administer unpaid
		// payments). Debt collectors are named only in 2018 [7] 7.1.2;
		// the 2025 ground for the disclosure (§17.1 or §17.4) is ours.
		{
			Name: "billing.debt_collection", Weight: 10, Requires: Debtor,
			Steps: []Step{
				{
					Kind: lineage.Access, SourceSystem: "billing", Actor: role("collections_specialist"), Staff: staff.collections,
					Categories: cats("billing", "customer", "contact"),
					Purpose:    "credit_and_debt", LegalBasis: "legitimate_interest", Interest: "7.27",
					DataSource: "operator_systems",
					RecordLag:  time.Second,
				},
				{
					Kind: lineage.Transfer, SourceSystem: "billing", Actor: svc("svc-billing-collections"),
					Categories: cats("billing", "identification", "contact"),
					Purpose:    "credit_and_debt", LegalBasis: "legitimate_interest", Interest: "7.27",
					Recipients: r.debtCollector,
					DataSource: "operator_systems",
					Attributes: map[string]string{"case_type": "debt_assignment"},
					RecordLag:  10 * time.Second,
				},
			},
		},
		// A credit-history check before a sale or during the contract.
		// §7.5 states it (credit-risk assessment), §5.2 (creditworthiness);
		// §16.4 names credit-history databases as a source. That the query
		// discloses data to the bureau (recipient category credit_bureau)
		// is ours. The query sends what the customer gave (data source
		// customer); the answer scored is the bureau's (credit_history).
		{
			Name: "billing.credit_check", Weight: 12,
			Steps: []Step{
				{
					Kind: lineage.Transfer, SourceSystem: "billing", Actor: svc("svc-billing-credit-check"),
					Categories: cats("identification", "solvency_check"),
					Purpose:    "credit_and_debt", LegalBasis: "legitimate_interest", Interest: "7.5",
					Recipients: r.creditBureau,
					DataSource: "customer",
					RecordLag:  2 * time.Second,
				},
				{
					Kind: lineage.Access, SourceSystem: "billing", Actor: sys("billing-credit-scoring"),
					Categories: cats("solvency_check", "billing"),
					Purpose:    "credit_and_debt", LegalBasis: "legitimate_interest", Interest: "7.5",
					DataSource: "credit_history",
					RecordLag:  2 * time.Second,
				},
			},
		},

		// --- Network inventory ----------------------------------------

		// A work order (connection address, terminal MAC, port) sent to a
		// field-service contractor whose technician visits the customer.
		// §5.1 (install, operate and maintain services); §6.1, ours;
		// contractors doing service work are processors (§13-§14). The
		// inventory files the order under the terminal it concerns, so it
		// knows the terminal's MAC address, not the customer (ours).
		{
			Name: "network_inventory.work_order", Weight: 18,
			Steps: []Step{{
				Kind: lineage.ProcessorHandoff, SourceSystem: "network_inventory", Actor: svc("svc-netinv-workorders"),
				Categories: cats("location", "terminal_equipment", "network_info"),
				Purpose:    "service_provision", LegalBasis: "contract",
				Recipients: r.fieldService,
				DataSource: "operator_systems",
				Attributes: map[string]string{"order_type": "field_service"},
				RecordLag:  5 * time.Second,
				Identify:   ByTerminalMAC,
			}},
		},
		// The contractor's report of the work done (the terminal installed
		// or replaced, the port used) filed by the inventory under the
		// terminal. Data from a partner (§16.5); §5.1, §6.1, ours. The
		// report is its own operation, not the order's second step: a
		// visit follows its order by days.
		{
			Name: "network_inventory.work_report", Weight: 15,
			Steps: []Step{{
				Kind: lineage.Access, SourceSystem: "network_inventory", Actor: svc("svc-netinv-workorders"),
				Categories: cats("terminal_equipment", "network_info"),
				Purpose:    "service_provision", LegalBasis: "contract",
				DataSource: "partners",
				Attributes: map[string]string{"order_type": "field_service", "report": "work_done"},
				RecordLag:  5 * time.Second,
				Identify:   ByTerminalMAC,
			}},
		},
		// A network engineer diagnoses a fault on the customer's line.
		// §5.1 (operate and maintain services); §7.20 (monitor the network
		// to detect technical problems). The pairing is ours. The alarm
		// names the connection by its IP address (ours), which passes to
		// other customers over time: hence internet customers only.
		{
			Name: "network_inventory.fault_diagnosis", Weight: 45, Requires: Internet,
			Steps: []Step{{
				Kind: lineage.Access, SourceSystem: "network_inventory", Actor: role("network_engineer"), Staff: staff.engineers,
				Categories: cats("network_info", "location", "terminal_equipment", "faults"),
				Purpose:    "service_provision", LegalBasis: "legitimate_interest", Interest: "7.20",
				DataSource: "operator_systems",
				RecordLag:  2 * time.Second,
				Identify:   ByIPAddress,
			}},
		},
		// Intrusion detection flags traffic from the customer's connection
		// (a compromised router or computer scanning or attacking others),
		// and a security engineer looks the connection up to block it and
		// warn the customer. §5.4 (security of information and systems),
		// §7.20 (monitor the network to detect and prevent unlawful
		// activity); §15.3 names the software as a measure, §16.3 as a
		// source. The pairing is ours. The alert names the connection's IP
		// address (ours), hence internet customers only.
		{
			Name: "network_inventory.intrusion_alert", Weight: 2, Requires: Internet,
			Steps: []Step{{
				Kind: lineage.Access, SourceSystem: "network_inventory", Actor: role("security_engineer"), Staff: staff.security,
				Categories: cats("network_info", "traffic_data", "terminal_equipment"),
				Purpose:    "security", LegalBasis: "legitimate_interest", Interest: "7.20",
				DataSource: "intrusion_detection",
				Attributes: map[string]string{"alert": "intrusion"},
				RecordLag:  2 * time.Second,
				Identify:   ByIPAddress,
			}},
		},

		// --- TV usage --------------------------------------------------

		// The TV platform serves the customer's channels and archive.
		// §5.1 (provide services); §6.1, ours. The platform knows the
		// set-top box that asks (cat. 32 lists the device ID), not the
		// customer.
		{
			Name: "tv_usage.viewing", Weight: 120, Requires: TV,
			Steps: []Step{{
				Kind: lineage.Access, SourceSystem: "tv_usage", Actor: sys("tv-platform"),
				Categories: cats("tv_usage", "terminal_equipment"),
				Purpose:    "service_provision", LegalBasis: "contract",
				DataSource: "operator_systems",
				RecordLag:  time.Minute,
				Identify:   BySetTopBox,
			}},
		},
		// A video-on-demand purchase passed to billing. Cats. 15 and 32;
		// §5.1 (billing); §6.1, ours. The purchase is charged to the
		// contract, which is what the platform passes on (ours).
		{
			Name: "tv_usage.vod_purchase", Weight: 20, Requires: TV,
			Steps: []Step{{
				Kind: lineage.Access, SourceSystem: "tv_usage", Actor: svc("svc-tv-vod-billing"),
				Categories: cats("service_purchase", "tv_usage", "billing"),
				Purpose:    "service_provision", LegalBasis: "contract",
				DataSource: "operator_systems",
				RecordLag:  30 * time.Second,
				Identify:   ByContract,
			}},
		},
		// Viewing data exported to an analytics processor. §33 states the
		// pairing (analysis of usage habits on consent, §6.3); §5.3
		// (planning and analytics); the processor role (§13) is ours. The
		// export is per set-top box, as the viewing data are (ours).
		{
			Name: "tv_usage.analytics_export", Weight: 8, Requires: TV | TVAnalyticsConsent,
			Steps: []Step{{
				Kind: lineage.ProcessorHandoff, SourceSystem: "tv_usage", Actor: svc("svc-tv-analytics-export"),
				Categories: cats("tv_usage", "customer_analytics"),
				Purpose:    "planning_analytics", LegalBasis: "consent",
				Recipients: r.analytics,
				DataSource: "operator_systems",
				Attributes: map[string]string{"consent_topic": "viewing_analytics"},
				RecordLag:  5 * time.Minute,
				Identify:   BySetTopBox,
			}},
		},

		// --- CDR mediation ---------------------------------------------
		// Mediation sees calls and sessions, not accounts: it knows the
		// phone number (voice customers only) or the IP address (internet
		// customers only). Numbers and addresses pass from one customer to
		// another, so these events are the ones the identity links must
		// attribute by time.

		// Call detail records rated for the bill. §5.1 (billing); §6.1,
		// ours. A CDR names the calling number.
		{
			Name: "cdr_mediation.rating", Weight: 200, Requires: Voice,
			Steps: []Step{{
				Kind: lineage.Access, SourceSystem: "cdr_mediation", Actor: sys("cdr-mediation"),
				Categories: cats("traffic_data", "service_usage"),
				Purpose:    "service_provision", LegalBasis: "contract",
				DataSource: "operator_systems",
				RecordLag:  15 * time.Minute,
				Identify:   ByPhoneNumber,
			}},
		},
		// The fact of an IP-address assignment stored as retained data.
		// §5.5 ("saglabājamo datu nodrošināšanai", annex fn. 2) is listed
		// under legal obligations, §6.2. The record is of an address (cat.
		// 31: "fact of IP-address assignment"), so it knows the address,
		// not a phone number: an internet customer may have none.
		{
			Name: "cdr_mediation.ip_retention", Weight: 60, Requires: Internet,
			Steps: []Step{{
				Kind: lineage.Access, SourceSystem: "cdr_mediation", Actor: sys("aaa-retention"),
				Categories: cats("traffic_data"),
				Purpose:    "legal_obligation", LegalBasis: "legal_obligation",
				DataSource: "operator_systems",
				RecordLag:  15 * time.Minute,
				Identify:   ByIPAddress,
			}},
		},
		// Traffic screened for fraud (e.g. premium-rate abuse). §5.4
		// (security), §7.21 (prevent fraud). The pairing is ours.
		{
			Name: "cdr_mediation.fraud_screening", Weight: 30, Requires: Voice,
			Steps: []Step{{
				Kind: lineage.Access, SourceSystem: "cdr_mediation", Actor: sys("fraud-detection"),
				Categories: cats("traffic_data", "service_usage"),
				Purpose:    "security", LegalBasis: "legitimate_interest", Interest: "7.21",
				DataSource: "operator_systems",
				RecordLag:  15 * time.Minute,
				Identify:   ByPhoneNumber,
			}},
		},
		// Retained traffic data handed to a law-enforcement body on a
		// lawful request. §5.5 (information to "operatīvās darbības
		// subjektiem") is listed under legal obligations, §6.2; §17.3
		// (persons named in regulations, on their justified request). The
		// request names a phone number and a time, and so does the answer
		// (ours): the case of a number that had another holder then.
		// Both steps name the request's number and the day of the oldest
		// data asked for (the Electronic Communications Law keeps
		// statistics of both); some are older than the law's 18 months,
		// data kept too long.
		{
			Name: "cdr_mediation.lawful_request", Weight: 1, Requires: Voice,
			Steps: []Step{
				{
					Kind: lineage.Access, SourceSystem: "cdr_mediation", Actor: role("retained_data_officer"), Staff: staff.retainedData,
					Categories: cats("identification", "traffic_data", "service_usage"),
					Purpose:    "legal_obligation", LegalBasis: "legal_obligation",
					DataSource:    "operator_systems",
					Attributes:    map[string]string{"request_type": "retained_data"},
					RecordLag:     time.Minute,
					Identify:      ByPhoneNumber,
					RetentionFrom: retainedDataAges(), RequestRef: true,
				},
				{
					Kind: lineage.Transfer, SourceSystem: "cdr_mediation", Actor: role("retained_data_officer"), Staff: staff.retainedData,
					Categories: cats("traffic_data", "service_usage"),
					Purpose:    "legal_obligation", LegalBasis: "legal_obligation",
					Recipients:    r.lawEnforcement,
					DataSource:    "operator_systems",
					Attributes:    map[string]string{"request_type": "retained_data"},
					RecordLag:     time.Minute,
					Identify:      ByPhoneNumber,
					RetentionFrom: retainedDataAges(), RequestRef: true,
					// Some requests concern an investigation that the
					// subject may not learn of while it runs: the case
					// materials are an investigation secret (Criminal
					// Procedure Law, section 375). One request in five,
					// reviewed 6 to 24 months later, is ours; the law sets
					// no period. So in a long run some have lapsed and
					// some have not.
					Restriction: &Restriction{
						Basis: "Kriminālprocesa likums, 375. pants", Share: 0.2,
						MinFor: 6 * 30 * 24 * time.Hour, MaxFor: 24 * 30 * 24 * time.Hour,
					},
				},
			},
		},

		// --- Processors outside the EU/EEA -----------------------------
		// They work on records the operator opens to them, which carry the
		// customer id, even the set-top box vendor's device logs. They
		// report their own accesses and do not know where the operator got
		// the data: their events name no data source.

		// A CRM software vendor in India reads customer records to fix a
		// defect. §18-§19 state that third-country partners (developers)
		// access data as processors; the policy names no mechanism, so
		// standard contractual clauses are ours, as are §5.1 and §7.15
		// (develop goods and services).
		{
			Name: "third_country.crm_vendor_in", Weight: 6,
			Steps: []Step{{
				Kind: lineage.ProcessorHandoff, SourceSystem: "third_country_processor", Actor: role("vendor_developer"),
				Categories: cats("customer", "crm_activity", "service", "contact"),
				Purpose:    "service_provision", LegalBasis: "legitimate_interest", Interest: "7.15",
				Recipients: r.vendorIN,
				Attributes: map[string]string{"access_type": "remote_support"},
				RecordLag:  30 * time.Second,
			}},
		},
		// An out-of-hours helpdesk in the United Kingdom takes fault calls.
		// §18-§19 as above; adequacy decision for GB (ours, GDPR Art. 45);
		// §5.1 (customer service), §6.1.
		{
			Name: "third_country.helpdesk_gb", Weight: 4,
			Steps: []Step{{
				Kind: lineage.ProcessorHandoff, SourceSystem: "third_country_processor", Actor: role("vendor_support_agent"),
				Categories: cats("identification", "contact", "customer", "faults"),
				Purpose:    "service_provision", LegalBasis: "contract",
				Recipients: r.helpdeskGB,
				Attributes: map[string]string{"access_type": "helpdesk"},
				RecordLag:  30 * time.Second,
			}},
		},
		// The set-top-box middleware vendor in Japan reads device logs to
		// debug a fault. §18-§19 as above; adequacy decision for JP (ours);
		// §5.1, §7.25 (ensure and improve service quality).
		{
			Name: "third_country.tv_vendor_jp", Weight: 3, Requires: TV,
			Steps: []Step{{
				Kind: lineage.ProcessorHandoff, SourceSystem: "third_country_processor", Actor: role("vendor_developer"),
				Categories: cats("terminal_equipment", "tv_usage"),
				Purpose:    "service_provision", LegalBasis: "legitimate_interest", Interest: "7.25",
				Recipients: r.tvVendorJP,
				Attributes: map[string]string{"access_type": "device_diagnostics"},
				RecordLag:  30 * time.Second,
			}},
		},
	}
}

// invoiceRun is the billing system reading the account to issue the monthly
// invoice: §5.1 (billing), §6.1.
func invoiceRun() Step {
	return Step{
		Kind: lineage.Access, SourceSystem: "billing", Actor: sys("billing-invoice-run"),
		Categories: cats("billing", "customer", "service"),
		Purpose:    "service_provision", LegalBasis: "contract",
		DataSource: "operator_systems",
		Attributes: map[string]string{"document": "invoice"},
		RecordLag:  time.Minute, RetentionFrom: invoiceDay(),
	}
}

// The ages of the data operations concern (Step.RetentionFrom); the shares
// and spans are ours.
const simDay = 24 * time.Hour

// correspondenceAges: a quality review or a complaint reads recordings and
// letters of the last months, and 4 % read ones older than any 6 months
// (§22 keeps them 6 months, then deletes them): kept too long, as happens.
func correspondenceAges() []AgeBand {
	return []AgeBand{{Share: 0.96, Max: 120 * simDay}, {Share: 0.04, Min: 200 * simDay, Max: 400 * simDay}}
}

// invoiceDay: an invoice is dated the day it is issued and sent (§20.3
// counts the accounting period from the document's date).
func invoiceDay() []AgeBand { return []AgeBand{{Share: 1}} }

// retainedDataAges: the oldest traffic data an authority asks for is
// mostly weeks or months old; 5 % are older than the 18 months for which
// the Electronic Communications Law has them kept (more than 550 days,
// any 18 months), data that should no longer have been there.
func retainedDataAges() []AgeBand {
	return []AgeBand{
		{Share: 0.5, Min: simDay, Max: 60 * simDay},
		{Share: 0.2, Min: 60 * simDay, Max: 183 * simDay},
		{Share: 0.15, Min: 183 * simDay, Max: 365 * simDay},
		{Share: 0.1, Min: 365 * simDay, Max: 540 * simDay},
		{Share: 0.05, Min: 560 * simDay, Max: 730 * simDay},
	}
}

// teamSet holds the operator's teams, by role.
type teamSet struct {
	callCentre, sales, complaints, quality, collections, engineers, security, retainedData Team
}

// teams are the operator's people who act in the catalogue's roles, with
// their staff numbers (schema v3 actor.employee). Sizes and numbers are
// ours; each team has a range of its own, so that a number is one person in
// one role. The processors' people abroad are not the operator's and have
// none.
func teams() teamSet {
	return teamSet{
		callCentre:   Team{First: 1000, Size: 120},
		sales:        Team{First: 1200, Size: 40},
		complaints:   Team{First: 1300, Size: 12},
		quality:      Team{First: 1400, Size: 6},
		collections:  Team{First: 1500, Size: 10},
		engineers:    Team{First: 2000, Size: 80},
		security:     Team{First: 2500, Size: 6},
		retainedData: Team{First: 3000, Size: 3},
	}
}

// recipientSet holds the simulated recipients, by role. Ids are stable: the
// query API groups by them.
type recipientSet struct {
	installer, fieldService, printHouse, analytics         []lineage.Recipient
	post, eInvoice, bank, dso, debtCollector, creditBureau []lineage.Recipient
	lawEnforcement, vendorIN, helpdeskGB, tvVendorJP       []lineage.Recipient
}

func recipients() recipientSet {
	lv := func(id, name, category string) lineage.Recipient {
		return lineage.Recipient{ID: id, Name: name, Category: category, Country: "LV"}
	}
	abroad := func(id, name, category, country, mechanism string) lineage.Recipient {
		return lineage.Recipient{ID: id, Name: name, Category: category, Country: country, TransferMechanism: lineage.Ptr(mechanism)}
	}
	return recipientSet{
		// Processors (§13-§14). Invented names.
		installer: []lineage.Recipient{lv("rcp-proc-baltic-install", "SIA Baltic Install Partner", "processor")},
		fieldService: []lineage.Recipient{
			lv("rcp-proc-rigas-tiklu-serviss", "SIA Rīgas Tīklu Serviss", "processor"),
			lv("rcp-proc-vidzemes-sakaru-montaza", "SIA Vidzemes Sakaru Montāža", "processor"),
		},
		printHouse: []lineage.Recipient{lv("rcp-proc-baltic-print-mail", "SIA Baltic Print & Mail", "processor")},
		analytics:  []lineage.Recipient{lv("rcp-proc-baltic-audience", "SIA Baltic Audience Analytics", "processor")},
		// Third parties. Public bodies, banks and the post under their
		// real names; the collectors and the bureau are invented.
		post: []lineage.Recipient{lv("rcp-post-latvijas-pasts", "VAS Latvijas Pasts", "postal_provider")},
		eInvoice: []lineage.Recipient{
			lv("rcp-einvoice-swedbank", "Swedbank AS", "e_invoice_provider"),
			lv("rcp-einvoice-seb", "AS SEB banka", "e_invoice_provider"),
			lv("rcp-einvoice-citadele", "AS Citadele banka", "e_invoice_provider"),
			{ID: "rcp-einvoice-luminor", Name: "Luminor Bank AS", Category: "e_invoice_provider", Country: "EE"},
		},
		bank: []lineage.Recipient{
			lv("rcp-bank-swedbank", "Swedbank AS", "bank"),
			lv("rcp-bank-seb", "AS SEB banka", "bank"),
			lv("rcp-bank-citadele", "AS Citadele banka", "bank"),
			{ID: "rcp-bank-luminor", Name: "Luminor Bank AS", Category: "bank", Country: "EE"},
		},
		dso: []lineage.Recipient{lv("rcp-dso-sadales-tikls", "AS Sadales tīkls", "distribution_operator")},
		debtCollector: []lineage.Recipient{
			lv("rcp-debt-baltic-recovery", "SIA Baltic Debt Recovery", "debt_collector"),
			{ID: "rcp-debt-nordic-claims", Name: "UAB Nordic Claims Management", Category: "debt_collector", Country: "LT"},
		},
		creditBureau: []lineage.Recipient{lv("rcp-credit-kreditvestures-centrs", "SIA Kredītvēstures Centrs", "credit_bureau")},
		lawEnforcement: []lineage.Recipient{
			lv("rcp-le-valsts-policija", "Valsts policija", "law_enforcement"),
			lv("rcp-le-valsts-drosibas-dienests", "Valsts drošības dienests", "law_enforcement"),
			lv("rcp-le-knab", "Korupcijas novēršanas un apkarošanas birojs", "law_enforcement"),
		},
		// Processors outside the EU/EEA (§18-§19). Invented names.
		vendorIN:   []lineage.Recipient{abroad("rcp-vendor-kaveri-in", "Kaveri Software Services Pvt Ltd", "processor", "IN", "standard_contractual_clauses")},
		helpdeskGB: []lineage.Recipient{abroad("rcp-vendor-thames-helpdesk-gb", "Thames Helpdesk Services Ltd", "processor", "GB", "adequacy_decision")},
		tvVendorJP: []lineage.Recipient{abroad("rcp-vendor-sakura-media-jp", "Sakura Media Systems K.K.", "processor", "JP", "adequacy_decision")},
	}
}
