; expect: ok
; += appends text.
!num = 1
!num += 0
!list = "$01"
!list += ",$02"
org $008000
	db !num
	db !list
