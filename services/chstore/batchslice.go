package chstore

// Slice returns rows [lo, hi) of b as a batch of their own, sharing b's
// memory: an insert that ClickHouse refused for some rows is split to find
// them (see Classify). The slice is for Insert only: Add to it, or Reset
// of b, is not allowed while it is in use.
func (b *Batch) Slice(lo, hi int) *Batch {
	return &Batch{
		eventID: b.eventID[lo:hi:hi], kind: b.kind[lo:hi:hi],
		occurredUS: b.occurredUS[lo:hi:hi], recordedUS: b.recordedUS[lo:hi:hi],
		sourceSystem: b.sourceSystem[lo:hi:hi], actorType: b.actorType[lo:hi:hi],
		actorID: b.actorID[lo:hi:hi], subjectID: b.subjectID[lo:hi:hi],
		dataCategories: b.dataCategories[lo:hi:hi],
		purpose:        b.purpose[lo:hi:hi], legalBasis: b.legalBasis[lo:hi:hi],
		legitimateInterest: b.legitimateInterest[lo:hi:hi],
		recipientID:        b.recipientID[lo:hi:hi], recipientName: b.recipientName[lo:hi:hi],
		recipientCategory: b.recipientCategory[lo:hi:hi], recipientCountry: b.recipientCountry[lo:hi:hi],
		transferMechanism: b.transferMechanism[lo:hi:hi],
		traceParent:       b.traceParent[lo:hi:hi], traceState: b.traceState[lo:hi:hi],
		attrKeys: b.attrKeys[lo:hi:hi], attrValues: b.attrValues[lo:hi:hi],
		partition: b.partition[lo:hi:hi], offset: b.offset[lo:hi:hi],
		actorEmployee: b.actorEmployee[lo:hi:hi], restrictionBasis: b.restrictionBasis[lo:hi:hi],
		restrictionReviewUS: b.restrictionReviewUS[lo:hi:hi],
		ingestedAt:          b.ingestedAt,
	}
}

// Origin returns where Kafka had row i: the partition and offset given to
// Add.
func (b *Batch) Origin(i int) (partition int32, offset int64) {
	return b.partition[i], b.offset[i]
}
