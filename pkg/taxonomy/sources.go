package taxonomy

// sourceSystemCite is the citation of every source system: they are the
// project's own, not the policy's. The policy says only that data come from
// the customer, Balticom's information systems and others (§16).
const sourceSystemCite = "project: source systems"

// sourceSystemList holds the systems that emit lineage events.
var sourceSystemList = []Term{
	{Code: "crm", Name: "Customer relationship management system", Cite: sourceSystemCite,
		Note: "Annex fn. 1 defines CRM; cat. 12 holds its activities."},
	{Code: "billing", Name: "Billing and settlement system", Cite: sourceSystemCite},
	{Code: "network_inventory", Name: "Network inventory", Cite: sourceSystemCite},
	{Code: "tv_usage", Name: "TV platform usage records", Cite: sourceSystemCite,
		Note: "Not the data category tv_usage (cat. 32), though it holds such data; the catalogues are separate."},
	{Code: "cdr_mediation", Name: "CDR mediation", Cite: sourceSystemCite},
	{Code: "third_country_processor", Name: "Processor outside the EU/EEA", Cite: sourceSystemCite,
		Note: "A partner accessing data from a third country as a processor (§18) that reports its own accesses."},
	{Code: "self_service_portal", Name: "Mans Balticom self-service portal", Cite: sourceSystemCite},
	{Code: "contact_centre", Name: "Contact centre", Cite: sourceSystemCite},
}

var sourceSystems = newCatalogue(sourceSystemList, termCode)

// SourceSystems returns the systems that emit lineage events. The slice is a
// copy.
func SourceSystems() []Term { return sourceSystems.all() }

// LookupSourceSystem returns the source system with the code.
func LookupSourceSystem(code string) (Term, bool) { return sourceSystems.lookup(code) }
