cation, 'rabbit', [
	{description, "RabbitMQ"},
	{vsn, "3.12.10"},
	{id, "v3.12.9-9-g1f61ca8"},
	{modules, ['amqqueue','background_gc']},
	{optional_itmq-server#1593
	    {channel_max, 2047}
	  ]}
]}.