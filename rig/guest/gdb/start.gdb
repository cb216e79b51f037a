set pagination off
set confirm off
set disable-randomization off
break main
run
delete 1
