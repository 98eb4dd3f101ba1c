; expect: error Eerror_command
org $008000
!level = 9
if !level > 8
	error "level too high: ", dec(!level)
endif
