includeonce
SharedRoutine = $0DA000
	db $55
