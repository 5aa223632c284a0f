package taxonomy

// dataSourceList holds the sources of personal data, in the order of §16 of
// the 2025 policy ("Personas datu ieguves avoti"). The 2018 text has no such
// list; it only gave the subject the right to learn the sources ([8] 8.1.3).
//
// A data source is where the data an event concerns came from, not the
// system that reports the event: an invoice run is reported by billing
// (source system billing) about data the operator's systems produced
// (operator_systems), a credit score by billing about data from a
// credit-history database (credit_history).
var dataSourceList = []Term{
	{Code: "customer", Name: "The customer", NameLV: "Klients", Cite: "§16.1",
		Note: "\"Klienti\" are defined broadly (§4.1–§4.3): customers, subscribers and other users, potential, former and current, " +
			"their contact persons and payers, visitors of offices and websites, app users and callers to the contact centre."},
	{Code: "operator_systems", Name: "Balticom's information systems", NameLV: "Balticom informācijas sistēmas", Cite: "§16.2",
		Note: "Data the operator's own systems produce: usage and traffic records, invoices, network and device data. " +
			"Which systems these are is not stated; the source systems of SourceSystems are ours."},
	{Code: "intrusion_detection", Name: "Intrusion protection and detection software",
		NameLV: "Ielaušanās aizsardzības un atklāšanas programma", Cite: "§16.3",
		Note: "§15.3 names the same software as a security measure. The code says detection only; the policy's point covers " +
			"protection and detection software alike. What such software records about a person (e.g. an alert naming a connection) is ours."},
	{Code: "credit_history", Name: "Credit-history databases", NameLV: "Kredītvēstures datubāzes", Cite: "§16.4",
		Note: "No database is named. That a query's answer is the solvency-check data of annex 1, cat. 17, is ours; " +
			"the recipient category credit_bureau cites this point too."},
	{Code: "partners", Name: "Balticom's partners", NameLV: "Balticom sadarbības partneri", Cite: "§16.5",
		Note: "Which partners supply which data is not stated; §13 and §18 use \"sadarbības partneri\" for processors " +
			"(installation, delivery and service work, developers). A partner's report of work done for Balticom, or a partner's " +
			"delivery of readings or orders, is our reading."},
	{Code: "public_registers", Name: "Publicly available databases (land register, cadastre, company register, …)",
		NameLV: "Publiski pieejamas datu bāzes", Cite: "§16.6",
		Note: "The policy says publicly available databases and names www.zemesgramata.lv (land register), www.kadastrs.lv " +
			"(real-estate cadastre) and www.lursoft.lv (company-register data) \"u.c.\" (and others). The code says registers, " +
			"as all three named are; a public database that is no register belongs here as well."},
}

var dataSources = newCatalogue(dataSourceList, termCode)

// DataSources returns the sources of personal data (policy §16). The slice
// is a copy.
func DataSources() []Term { return dataSources.all() }

// LookupDataSource returns the data source with the code.
func LookupDataSource(code string) (Term, bool) { return dataSources.lookup(code) }
