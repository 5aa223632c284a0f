package taxonomy

// sourceSystemCite is the citation of every source system: they are the
// project's own, not the policy's. The policy says only that data come from
// the customer, Balticom's information systems and others (§16): those are
// the data sources (DataSources), where the data came from, not the systems
// that report events about them.
const sourceSystemCite = "project: source systems"

// sourceSystemList holds the systems that emit lineage events.
var sourceSystemList = []Term{
	{Code: "crm", Name: "Customer relationship management system", NameLV: "Klientu attiecību vadības sistēma (CRM)", Cite: sourceSystemCite,
		Note: "Annex fn. 1 defines CRM; cat. 12 holds its activities."},
	{Code: "billing", Name: "Billing and settlement system", NameLV: "Norēķinu sistēma", Cite: sourceSystemCite},
	{Code: "network_inventory", Name: "Network inventory", NameLV: "Tīkla inventarizācijas sistēma", Cite: sourceSystemCite},
	{Code: "tv_usage", Name: "TV platform usage records", NameLV: "TV platformas lietošanas uzskaite", Cite: sourceSystemCite,
		Note: "Not the data category tv_usage (cat. 32), though it holds such data; the catalogues are separate."},
	{Code: "cdr_mediation", Name: "CDR mediation", NameLV: "Noslodzes datu (CDR) mediācijas sistēma", Cite: sourceSystemCite},
	{Code: "third_country_processor", Name: "Processor outside the EU/EEA",
		NameLV: "Datu apstrādātājs trešajā valstī (ārpus ES/EEZ)", Cite: sourceSystemCite,
		Note: "A partner accessing data from a third country as a processor (§18) that reports its own accesses."},
	{Code: "self_service_portal", Name: "Mans Balticom self-service portal", NameLV: "Pašapkalpošanās portāls Mans Balticom", Cite: sourceSystemCite},
	{Code: "contact_centre", Name: "Contact centre", NameLV: "Kontaktu centrs", Cite: sourceSystemCite},
	{Code: "lineage_tracker", Name: "Personal-data lineage tracker (access requests and DPO lookups)",
		NameLV: "Personas datu izsekošanas sistēma (piekļuves pieprasījumi un DAS uzmeklējumi)", Cite: sourceSystemCite,
		Note: "This system: every lookup of a subject through its API is recorded as an access (CJEU C-579/21), so it shows in the subject's consultations."},
}

var sourceSystems = newCatalogue(sourceSystemList, termCode)

// SourceSystems returns the systems that emit lineage events. The slice is a
// copy.
func SourceSystems() []Term { return sourceSystems.all() }

// LookupSourceSystem returns the source system with the code.
func LookupSourceSystem(code string) (Term, bool) { return sourceSystems.lookup(code) }
